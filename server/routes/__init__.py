"""The HTTP routes, one module per concern; each gives `router(deps)`, assembled by `api.build_router`."""
