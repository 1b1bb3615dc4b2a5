"""The web adapter of the Quickscan: FastAPI app, middleware, pages and JSON API."""
