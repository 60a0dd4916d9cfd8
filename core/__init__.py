"""The product's brain: the board, cadences and what is due. Knows nothing of Slack."""
