"""The public site, wherever it is: which folder moderation rewrites in place, or which remote
target its changed pages are pushed to; the manifest of the stories it shows; the push worker."""
