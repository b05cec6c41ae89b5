from .client import client

TRIAGE_PROMPT = (
    "You are a support triage assistant. Read the ticket and decide whether it needs a human "
    "within the hour. Answer yes or no."
)


def is_urgent(ticket_text: str) -> bool:
    response = client.messages.create(
        model="claude-haiku-5-5",
        max_tokens=64000,
        system=TRIAGE_PROMPT,
        messages=[{"role": "user", "content": ticket_text}],
    )
    return response.content[0].text.strip().lower().startswith("yes")
