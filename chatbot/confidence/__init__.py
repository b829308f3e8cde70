"""Calibrating the local responder's confidence: a labelled question set, a fitted model, its measurement.

``domains/*.json`` holds one help centre per business domain: a small knowledge base and customer questions
labelled answerable (with the article that answers them) or unanswerable. ``dataset`` loads and checks
them, ``calibration`` turns the responder's evidence into a probability that its answer is right (the
shipped coefficients are ``calibration.json``, written by ``manage.py confidence_fit``), and ``heldout``
measures it leave-one-domain-out (``manage.py confidence_report``).
"""
