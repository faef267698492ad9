"""Images and share cards: responsive pictures for articles, a drawn card for each link preview."""
