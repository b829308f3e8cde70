"""The handoff-quality loop: people label handoff decisions, leads confirm the labels, and the confirmed
labels feed the reports' rates, the team's own scenario set (``handoff_export``) and, for tenants who
opt in, the detector's training.

- :mod:`handoff.review.rules`: pure checks of a label (which verdicts fit which conversation, the message);
- :mod:`handoff.review.services`: mark, confirm, correct;
- :mod:`handoff.review.selectors`: a conversation's review and its customer messages, the review queue;
- :mod:`handoff.review.masking`: personal data out of the customer's words;
- :mod:`handoff.review.examples`: confirmed labels as scenarios (``handoff_export``, in the chatbot app
  beside ``handoff_eval``) and as detector examples (``detection_train``);
- :mod:`handoff.review.views`: the marking form's endpoint and the leads' review queue page;
- :mod:`handoff.review.rates`: false-handoff, late and missed rates per day or week, shown by
  :mod:`handoff.review.report_section` on the reports page and :mod:`handoff.review.api` in the REST API.
"""
