"""Check-worthiness of a claim: a torch-free default (`model`) and an optional MiniLM one (`semantic`)."""
