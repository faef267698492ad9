"""Moderator accounts: their names and roles (names.py), managing them with the last owner kept
(manage.py), and logging in as one (login.py), the single password of older installs included.
"""
