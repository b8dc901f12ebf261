"""The bottom layer: what every other package may use and what imports nothing of the project.

Localized texts (`i18n`), text that is safe to repeat (`safetext`), the injectable clock,
signed button and dialog contexts, the request budget (`ratelimit`), and the Mattermost
port's types and errors (`chat`).
"""
