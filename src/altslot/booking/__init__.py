"""The side path: book, cancel, reschedule, Cal.com webhooks, keeping the cache coherent."""
