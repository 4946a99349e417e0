"""The core every feature stands on; it imports no feature.

db and mixins (`db`), the extensions (`extensions`), the tenant (`tenant`), tenancy (`tenancy`,
`rls`), the request layer (`requests`), errors (`errors`), storage, mail and the outbox, the task
queue (`tasks`), templating, numbering (`sequences`) and money. See docs/architecture.md.
"""
