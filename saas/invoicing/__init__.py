"""Invoices, credit notes, payments and invoice PDFs."""
