"""Done right: a cached manual, a small model for a short summary, a sized max_tokens."""

from .answer import POLICY_MANUAL
from .client import client


def summarize_ticket(ticket_text: str) -> str:
    response = client.messages.create(
        model="claude-haiku-5-5",
        max_tokens=200,
        system=[
            {"type": "text", "text": "Summarize the ticket for an agent in two lines."},
            {"type": "text", "text": POLICY_MANUAL, "cache_control": {"type": "ephemeral"}},
        ],
        messages=[{"role": "user", "content": ticket_text}],
    )
    return response.content[0].text
