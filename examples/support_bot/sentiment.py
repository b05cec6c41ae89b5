import anthropic

MODEL = "claude-opus-5-5"


async def tag_sentiment(client: anthropic.AsyncAnthropic, review: str) -> str:
    response = await client.messages.create(
        model=MODEL,
        max_tokens=10,
        system="Classify the sentiment of the review as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}],
    )
    return response.content[0].text.strip()
