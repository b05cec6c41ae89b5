import anthropic


class SupportChat:
    """A live chat session with one customer."""

    def __init__(self, model: str = "claude-sonnet-5-5"):
        self.client = anthropic.Anthropic()
        self.model = model
        self.history: list[dict] = []

    def send(self, text: str) -> str:
        self.history.append({"role": "user", "content": text})
        response = self.client.messages.create(
            model=self.model,
            max_tokens=2048,
            system="You are a friendly support agent for Acme Store.",
            messages=self.history,
        )
        reply = response.content[0].text
        self.history.append({"role": "assistant", "content": reply})
        return reply
