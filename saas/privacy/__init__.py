"""Privacy: the promises a shop makes to its customers, kept by the product. A map of the modules:

Policies and records (the shop's documents)
    policies.py, views.py             Workbay's own terms and privacy policy, every version (public site)
    shop_policy.py, policy_versions.py, shop_policy_views.py
                                      each shop's privacy policy, generated from its settings, versioned
    announcements.py                  a material change mailed to customers; marketing consent re-confirmed
    inventory.py, records.py, processors.py
                                      what data a shop holds and why (record of processing), sub-processors
    shop_models.py, shop_settings.py, shop_forms.py, shop_privacy_views.py, age.py
                                      the shop's privacy settings; age rules per country
    record_listeners.py               how the above plugs into the pages of lower features

Requests (the privacy center, /privacy on a shop's host, and the staff queue, /privacy-requests)
    requests.py                       intake, confirmation by mailed link, what each kind does at once
    request_models.py, request_forms.py, request_queries.py, request_workflow.py, request_mail.py,
    request_settings.py, request_upkeep.py, request_listeners.py, deadlines.py, tasks.py
    center_views.py, queue_views.py   the customers' and the staff's pages
    request_answers.py                access answered with an export, erasure with the erasure below

A person's data: export, erasure, retention
    exports.py, archive.py, export_tasks.py, export_views.py
                                      the ZIP of a person's data, built by a job, fetched by expiring link
    erasure.py                        erased everywhere except what the law keeps; the ledger in storage
    holds.py                          legal holds: keep everything about a customer until released
    retention.py, retention_tasks.py, retention_views.py
                                      periods per kind of data, nightly runs, dry runs, the run log
    listeners.py, commands.py         the customer page's privacy card; `flask privacy replay-erasures`

Staff acceptances of Workbay's terms: models.py, services.py. Cookie consent is its own feature
(saas/consent); the access log is saas/audit.
"""
