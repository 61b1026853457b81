"""Data builders shared by the tests and the benches: bulk seeding at scale, generated certificates."""
