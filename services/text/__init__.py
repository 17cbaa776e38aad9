"""Pure text analysis shared by the services: regulation references and redaction.

Nothing here touches a database, the bus or the network, and nothing here imports a
service (`[tool.importlinter]` checks it), so intake, the router and the notifier can
all use it without importing each other.
"""
