"""Subscriptions through Stripe: plans and their limits, Checkout, the Customer Portal, webhooks."""
