from pathlib import Path

from .client import client

PROMPTS = Path(__file__).parent / "prompts"
POLICY_MANUAL = (PROMPTS / "policy_manual.md").read_text()

SYSTEM_PROMPT = f"""You are Acme Store's support assistant.
Answer the customer's question using only the policy manual below.

{POLICY_MANUAL}
"""


def answer_question(question: str, customer_name: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        system=SYSTEM_PROMPT,
        messages=[{"role": "user", "content": f"{customer_name} asks: {question}"}],
    )
    return response.content[0].text
