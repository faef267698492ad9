"""The web moderation admin: log in by name, work the queue, undo, all without JavaScript.

``create_app`` (app.py) builds the Starlette app to mount at /admin. The modules each do one job:
passwords.py (argon2 and var/admin.env), sessions.py (signed cookies and CSRF tokens), guard.py
(who may do what), login_limits.py (failed logins per name and network), flash.py (messages
across a redirect), pages.py (rendering and headers),
forms.py (reading posted fields), queries.py (the queue and its flags), and views/ (routes;
views/email_links.py answers the one-click links of the moderator's email without a session;
views/moderators.py and views/account.py manage accounts and your own password).
"""
