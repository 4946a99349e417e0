"""Cookie consent on the public site and on every shop's subdomain.

A server-rendered banner (no JavaScript needed) asks once per host; the choice is kept in a
signed, host-only cookie and recorded as proof (`models`). Scripts of a category (a shop's
analytics) are rendered only for visitors who allowed it; `Sec-GPC: 1` keeps analytics and
marketing off. `categories` is the one definition of what each category covers.
"""
