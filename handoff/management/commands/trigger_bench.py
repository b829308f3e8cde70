"""Time the inline handoff triggers on a varied synthetic set of customer messages."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand

from handoff.triggers import TriggerSettings, time_inline_hits

PRODUCTS = ("oak dining table", "linen sofa", "ceramic bowl", "floor lamp", "cushion cover", "wool rug")
TEMPLATES = (
    "What is the delivery time for a standard parcel?",
    "Is delivery available in {country}?",
    "Where is my order {order}? It was supposed to arrive on Monday.",
    "Where do I change the password on my profile?",
    "Could the {product} from my last order go back to you?",
    "Please refund the {product}, I paid {amount} for it.",
    "Is the {product} dishwasher safe?",
    "hi",
    "Great, cheers, nothing else for today!",
    "Do discount codes stack on a single order?",
    "My order {order} arrived damaged, what should I do?",
    "put me through to somebody from your team",
    "is a staff member around to chat?",
    "real person please",
    "Is the returns policy available in plain words for humans?",
    "No person needed, only the delivery time please",
    "Unbelievable, the checkout has failed on me all afternoon",
    "Worst shop website ever, I am livid",
    "You answered some other question, not mine",
    "The same payment left my card two times for one order",
    "Shut down my customer profile and erase everything you hold",
    "Somebody got into my profile, there are purchases on it that were not me",
    "My solicitor will be hearing about this",
    "Quiero hablar con una persona, mi pedido {order} no ha llegado",
    "¿Cuánto tarda el envío a España?",
    "Je veux parler à un conseiller s'il vous plaît",
    "Bonjour, est-ce que le {product} est disponible en bleu ?",
    "Ich möchte mit einem Mitarbeiter sprechen",
    "Wie lange dauert der Versand nach Deutschland?",
    "pls get me a live agnet, order {order}",
    "speek to a reprsentative",
    "Does your freight partner publish emissions figures?",
    "Not annoyed at all, only curious about the showroom hours",
)
FILLER = (
    "I ordered it for my sister's birthday and she was really looking forward to it.",
    "The tracking page said it was out for delivery but nothing came.",
    "We have moved house recently so maybe the address is the old one, I am not sure.",
    "The colour in the photos looked a little different from what I expected.",
    "I paid with my Visa card and got a confirmation email straight away.",
    "Could you also tell me whether the assembly instructions are included in the box?",
    "It is the second order I have placed with you this year.",
    "My partner thinks we should have gone for the walnut finish instead of the oak one.",
    "The courier left a note saying they would try again tomorrow between 9am and 1pm.",
    "I checked my spam folder twice and there is no email from you about the delivery.",
    "Last time the parcel went to my neighbour at number 14, so please check that too.",
    "We are hosting a dinner on Saturday and were hoping to use the new table.",
    "The box had some scuffs on one corner, although I have not opened it yet.",
    "Der Karton war leicht beschädigt, aber der Inhalt scheint in Ordnung zu sein.",
    "Le colis est arrivé avec un jour de retard, mais tout était bien emballé.",
    "El repartidor fue muy amable y me ayudó a subir la caja al segundo piso.",
)


def bench_messages(count: int, seed: int = 7) -> list[str]:
    """Short questions and requests in four languages, with one message in ten long (up to 4,000 chars)."""
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        text = rng.choice(TEMPLATES).format(
            country=rng.choice(("Canada", "the UK", "Australia", "Germany")),
            order=f"LL-{rng.randrange(100000, 999999)}",
            product=rng.choice(PRODUCTS),
            amount=rng.choice(("$35", "$450", "€260", "300 dollars", "£40")),
        )
        if rng.random() < 0.1:
            target = rng.randrange(500, 4000)
            parts = [text]
            while sum(map(len, parts)) < target:
                parts.insert(rng.randrange(len(parts) + 1), rng.choice(FILLER))
            text = " ".join(parts)[:4000]
        messages.append(text)
    return messages


class Command(BaseCommand):
    help = "Time inline_hits (the triggers run on every customer message) with default settings."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=5000)

    def handle(self, *args, **options):
        messages = bench_messages(options["messages"])
        timing = time_inline_hits(messages, TriggerSettings())
        self.stdout.write(
            f"{timing.messages:,} messages ({timing.hits:,} with a hit): mean {timing.mean_us:.1f} µs, "
            f"p50 {timing.p50_us:.1f} µs, p99 {timing.p99_us:.1f} µs, max {timing.max_us:.1f} µs, "
            f"total {timing.total_ms:.1f} ms"
        )
