def tenant(request) -> dict:
    membership = getattr(request, "membership", None)
    return {"membership": membership if membership else None}
