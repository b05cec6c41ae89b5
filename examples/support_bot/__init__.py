"""Support bot: triage, answers, chat and sentiment for incoming tickets."""
