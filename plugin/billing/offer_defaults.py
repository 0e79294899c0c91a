"""The offer texts shipped in English, German and Norwegian, after seed 004 in our own words."""

# The adapter seeds these into the editable template table; admins change them there. Each first
# message states the figures that triggered it and the terms offered; each follow-up quotes the
# first message and its date. Placeholders: offer_text.PLACEHOLDERS.

from .offer_text import OfferTemplate, TemplateKind

LANGUAGES = ("en", "de", "nb")
DEFAULT_LANGUAGE = "en"
# Used when the customer's contact has no salutation of its own.
DEFAULT_GREETINGS = {"en": "Dear Sir or Madam", "de": "Sehr geehrte Damen und Herren", "nb": "Hei"}

K = TemplateKind

_FIRST: dict[str, dict[TemplateKind, tuple[str, str]]] = {
    "en": {
        K.COST_CAP: (
            "Your cost cap: category {new_category} from the next billing period",
            """{greeting},

In the billing period {period} the items under your cost cap came to {capped_sum}, more than \
{tolerance}% above the cap of category {category} ({current_price}). As agreed, you were billed \
the cap only.

So that the cap matches the volume you actually use, we would move you to category \
{new_category} (a cap of {new_price}) from the next billing period on.

Please let us know whether you agree.""",
        ),
        K.COST_CAP_PER_MINUTE: (
            "Your cost cap: billing per minute from the next billing period",
            """{greeting},

In the billing period {period} the items under your cost cap came to {capped_sum}, more than \
{tolerance}% above the cap of category {category} ({current_price}), our highest category. As \
agreed, you were billed the cap only.

As there is no higher category, we are sorry that we cannot continue the cost cap. From the next \
billing period on we would bill your calls by the minute, at {new_price} per minute.

Please let us know whether you agree.""",
        ),
        K.FLAT: (
            "Your monthly flat rate for handled calls",
            """{greeting},

We have reviewed your monthly flat rate of {current_price} and are sorry that we cannot keep it \
at that price: the calls we handle for you last considerably longer than we had expected.

In the billing period {period} we handled {calls} incoming calls for you, {minutes} minutes in \
all. For a flat rate we reckon {reference_price} per minute of conversation.

To go on serving you well, we propose a monthly flat rate of {new_price} from the next billing \
period on: {minutes} minutes × {reference_price} per minute = {value}, rounded down to a multiple \
of ten in your favour.

If {new_price} a month seems too much because you expect fewer calls, we will gladly offer you a \
fixed price per handled call instead: {alternative_price} per call at the present average length.

Please let us know which you prefer.""",
        ),
        K.PER_CALL: (
            "Your price per handled call",
            """{greeting},

We have reviewed your fixed price of {current_price} per handled call and are sorry that we \
cannot keep it: on average, the calls we handle for you last considerably longer than we had \
expected.

In the billing period {period} we handled {calls} incoming calls for you, {minutes} minutes in \
all. For a price per call we reckon {reference_price} per minute of conversation.

To go on serving you well, we propose a fixed price of {new_price} per handled call from the \
next billing period on: {minutes} minutes / {calls} calls × {reference_price} per minute, rounded \
down to the cent in your favour.

Instead of a price per call we will also gladly offer you a monthly flat rate that covers every \
handled call: {alternative_price} a month at the volume of {period}.

Please let us know which you prefer.""",
        ),
        K.HOURLY_FLOOR: (
            "Your service contract: the monthly fee",
            """{greeting},

In the billing period {period} we worked {hours} hours under your service contract, which \
brought in {billed}, or {amount_per_hour} an hour. That is below the {floor} an hour at which we \
can provide the service for the long term.

To continue the contract with the same service, we propose a monthly fee of {new_price} instead \
of {current_price} from the next billing period on.

Please let us know whether you agree, or whether we should talk about a different quota.""",
        ),
        K.BUDGET_ALERT: (
            "{threshold}% of your support quota used",
            """{greeting},

In the billing period {period} you have used {used_minutes} of the {budget_minutes} minutes of \
support included so far, that is {used_percent}%.

Support beyond the quota is billed at your contract's rate. If you regularly need more time, we \
will gladly make you an offer for a larger quota.""",
        ),
    },
    "de": {
        K.COST_CAP: (
            "Ihr Kostendeckel: Kategorie {new_category} ab dem nächsten Abrechnungszeitraum",
            """{greeting},

im Abrechnungszeitraum {period} ergaben die Positionen unter Ihrem Kostendeckel {capped_sum} und \
lagen damit um mehr als {tolerance} % über dem Deckel der Kategorie {category} \
({current_price}). Berechnet haben wir Ihnen wie vereinbart nur den Deckel.

Damit der Deckel zu dem Volumen passt, das Sie tatsächlich nutzen, würden wir Sie ab dem \
nächsten Abrechnungszeitraum in Kategorie {new_category} (Deckel {new_price}) einstufen.

Bitte teilen Sie uns mit, ob Sie einverstanden sind.""",
        ),
        K.COST_CAP_PER_MINUTE: (
            "Ihr Kostendeckel: Abrechnung nach Minuten ab dem nächsten Abrechnungszeitraum",
            """{greeting},

im Abrechnungszeitraum {period} ergaben die Positionen unter Ihrem Kostendeckel {capped_sum} und \
lagen damit um mehr als {tolerance} % über dem Deckel der Kategorie {category} \
({current_price}), unserer höchsten Kategorie. Berechnet haben wir Ihnen wie vereinbart nur den \
Deckel.

Da es keine höhere Kategorie gibt, können wir den Kostendeckel leider nicht fortführen. Ab dem \
nächsten Abrechnungszeitraum würden wir Ihre Gespräche nach Minuten abrechnen, zu {new_price} \
pro Minute.

Bitte teilen Sie uns mit, ob Sie einverstanden sind.""",
        ),
        K.FLAT: (
            "Ihre monatliche Pauschale für angenommene Anrufe",
            """{greeting},

wir haben Ihre monatliche Pauschale von {current_price} überprüft und können sie zu diesem Preis \
leider nicht beibehalten: Die Gespräche, die wir für Sie annehmen, dauern deutlich länger als \
von uns erwartet.

Im Abrechnungszeitraum {period} haben wir {calls} eingehende Anrufe für Sie angenommen, \
insgesamt {minutes} Minuten. Für eine Pauschale rechnen wir mit {reference_price} pro \
Gesprächsminute.

Damit wir Sie weiterhin gut betreuen können, schlagen wir ab dem nächsten Abrechnungszeitraum \
eine monatliche Pauschale von {new_price} vor: {minutes} Minuten × {reference_price} pro Minute \
= {value}, zu Ihren Gunsten auf volle Zehner abgerundet.

Wenn Ihnen {new_price} im Monat zu viel ist, weil Sie mit weniger Anrufen rechnen, bieten wir \
Ihnen gern stattdessen einen Festpreis pro angenommenem Anruf an: {alternative_price} pro Anruf \
bei der bisherigen durchschnittlichen Gesprächsdauer.

Bitte teilen Sie uns mit, was Ihnen lieber ist.""",
        ),
        K.PER_CALL: (
            "Ihr Festpreis pro angenommenem Anruf",
            """{greeting},

wir haben Ihren Festpreis von {current_price} pro angenommenem Anruf überprüft und können ihn \
leider nicht beibehalten: Im Durchschnitt dauern die Gespräche, die wir für Sie annehmen, \
deutlich länger als von uns erwartet.

Im Abrechnungszeitraum {period} haben wir {calls} eingehende Anrufe für Sie angenommen, \
insgesamt {minutes} Minuten. Für einen Preis pro Anruf rechnen wir mit {reference_price} pro \
Gesprächsminute.

Damit wir Sie weiterhin gut betreuen können, schlagen wir ab dem nächsten Abrechnungszeitraum \
einen Festpreis von {new_price} pro angenommenem Anruf vor: {minutes} Minuten / {calls} Anrufe × \
{reference_price} pro Minute, zu Ihren Gunsten auf den Cent abgerundet.

Statt eines Preises pro Anruf bieten wir Ihnen gern auch eine monatliche Pauschale an, die alle \
angenommenen Anrufe abdeckt: {alternative_price} im Monat beim Volumen von {period}.

Bitte teilen Sie uns mit, was Ihnen lieber ist.""",
        ),
        K.HOURLY_FLOOR: (
            "Ihr Servicevertrag: die Monatsgebühr",
            """{greeting},

im Abrechnungszeitraum {period} haben wir {hours} Stunden im Rahmen Ihres Servicevertrags \
gearbeitet; berechnet wurden dafür {billed}, also {amount_per_hour} pro Stunde. Das liegt unter \
den {floor} pro Stunde, zu denen wir den Service auf Dauer erbringen können.

Um den Vertrag mit gleichem Leistungsumfang fortzuführen, schlagen wir ab dem nächsten \
Abrechnungszeitraum eine Monatsgebühr von {new_price} statt {current_price} vor.

Bitte teilen Sie uns mit, ob Sie einverstanden sind oder ob wir über ein anderes Kontingent \
sprechen sollen.""",
        ),
        K.BUDGET_ALERT: (
            "{threshold} % Ihres Support-Kontingents verbraucht",
            """{greeting},

im Abrechnungszeitraum {period} haben Sie bisher {used_minutes} der {budget_minutes} enthaltenen \
Support-Minuten genutzt, also {used_percent} %.

Support über das Kontingent hinaus berechnen wir zum Satz Ihres Vertrags. Wenn Sie regelmäßig \
mehr Zeit brauchen, machen wir Ihnen gern ein Angebot für ein größeres Kontingent.""",
        ),
    },
    "nb": {
        K.COST_CAP: (
            "Kostnadstaket ditt: kategori {new_category} fra neste faktureringsperiode",
            """{greeting},

I faktureringsperioden {period} kom postene under kostnadstaket ditt på {capped_sum}, altså mer \
enn {tolerance} % over taket for kategori {category} ({current_price}). Som avtalt fakturerte vi \
deg bare for taket.

For at taket skal passe til volumet du faktisk bruker, vil vi flytte deg til kategori \
{new_category} (et tak på {new_price}) fra neste faktureringsperiode.

Gi oss gjerne beskjed om du er enig.""",
        ),
        K.COST_CAP_PER_MINUTE: (
            "Kostnadstaket ditt: fakturering per minutt fra neste faktureringsperiode",
            """{greeting},

I faktureringsperioden {period} kom postene under kostnadstaket ditt på {capped_sum}, altså mer \
enn {tolerance} % over taket for kategori {category} ({current_price}), som er vår høyeste \
kategori. Som avtalt fakturerte vi deg bare for taket.

Fordi det ikke finnes noen høyere kategori, kan vi dessverre ikke fortsette med kostnadstaket. \
Fra neste faktureringsperiode vil vi fakturere samtalene dine per minutt, til {new_price} per \
minutt.

Gi oss gjerne beskjed om du er enig.""",
        ),
        K.FLAT: (
            "Den månedlige flatprisen din for besvarte anrop",
            """{greeting},

Vi har gått gjennom den månedlige flatprisen din på {current_price}, og dessverre kan vi ikke \
beholde den prisen: samtalene vi tar imot for deg, varer betydelig lenger enn vi hadde regnet med.

I faktureringsperioden {period} besvarte vi {calls} innkommende anrop for deg, til sammen \
{minutes} minutter. For en flatpris regner vi med {reference_price} per samtaleminutt.

For at vi fortsatt skal kunne gi deg god service, foreslår vi en månedlig flatpris på \
{new_price} fra neste faktureringsperiode: {minutes} minutter × {reference_price} per minutt = \
{value}, rundet ned til nærmeste tier i din favør.

Synes du {new_price} i måneden blir for mye fordi du venter færre anrop, tilbyr vi deg gjerne en \
fast pris per besvart anrop i stedet: {alternative_price} per anrop ved dagens gjennomsnittlige \
samtalelengde.

Gi oss beskjed om hva du foretrekker.""",
        ),
        K.PER_CALL: (
            "Den faste prisen din per besvart anrop",
            """{greeting},

Vi har gått gjennom den faste prisen din på {current_price} per besvart anrop, og dessverre kan \
vi ikke beholde den: i gjennomsnitt varer samtalene vi tar imot for deg, betydelig lenger enn vi \
hadde regnet med.

I faktureringsperioden {period} besvarte vi {calls} innkommende anrop for deg, til sammen \
{minutes} minutter. For en pris per anrop regner vi med {reference_price} per samtaleminutt.

For at vi fortsatt skal kunne gi deg god service, foreslår vi en fast pris på {new_price} per \
besvart anrop fra neste faktureringsperiode: {minutes} minutter / {calls} anrop × \
{reference_price} per minutt, rundet ned til nærmeste øre i din favør.

I stedet for en pris per anrop tilbyr vi deg gjerne også en månedlig flatpris som dekker alle \
besvarte anrop: {alternative_price} i måneden med volumet fra {period}.

Gi oss beskjed om hva du foretrekker.""",
        ),
        K.HOURLY_FLOOR: (
            "Serviceavtalen din: månedsavgiften",
            """{greeting},

I faktureringsperioden {period} arbeidet vi {hours} timer under serviceavtalen din, og den ga \
{billed}, altså {amount_per_hour} per time. Det er under de {floor} per time som vi trenger for \
å kunne yte tjenesten på sikt.

For å videreføre avtalen med samme innhold foreslår vi en månedsavgift på {new_price} i stedet \
for {current_price} fra neste faktureringsperiode.

Gi oss beskjed om du er enig, eller om vi heller skal snakke om en annen kvote.""",
        ),
        K.BUDGET_ALERT: (
            "{threshold} % av supportkvoten din er brukt",
            """{greeting},

I faktureringsperioden {period} har du så langt brukt {used_minutes} av de {budget_minutes} \
inkluderte supportminuttene, altså {used_percent} %.

Support utover kvoten faktureres etter satsen i avtalen din. Trenger du jevnlig mer tid, gir vi \
deg gjerne et tilbud på en større kvote.""",
        ),
    },
}

# A follow-up: (subject prefix, body); its subject is the prefix and the first message's subject.
_FOLLOW_UP = {
    "en": (
        "Reminder: ",
        """{greeting},

We have not yet had an answer to our e-mail of {offer_date}. Please get in touch with us!

This is what we wrote on {offer_date}:

{first_message}""",
    ),
    "de": (
        "Erinnerung: ",
        """{greeting},

auf unsere E-Mail vom {offer_date} haben wir noch keine Antwort von Ihnen erhalten. Bitte \
melden Sie sich bei uns!

Das haben wir Ihnen am {offer_date} geschrieben:

{first_message}""",
    ),
    "nb": (
        "Påminnelse: ",
        """{greeting},

Vi har ennå ikke fått svar på e-posten vi sendte deg {offer_date}. Ta gjerne kontakt med oss!

Dette skrev vi {offer_date}:

{first_message}""",
    ),
}


def _templates() -> dict[tuple[TemplateKind, str], OfferTemplate]:
    made = {}
    for language, firsts in _FIRST.items():
        prefix, follow_up = _FOLLOW_UP[language]
        for kind, (subject, body) in firsts.items():
            made[kind, language] = OfferTemplate(kind, language, subject, body)
            made[kind.follow_up, language] = OfferTemplate(
                kind.follow_up, language, prefix + subject, follow_up
            )
    return made


DEFAULT_TEMPLATES = _templates()


def template_language(language: str | None) -> str:
    """The shipped language for a customer's ('de_AT' → 'de', 'no' and 'nn' → 'nb'), English for
    any other."""
    primary = (language or "").replace("-", "_").split("_")[0].lower()
    primary = "nb" if primary in ("no", "nn") else primary
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def default_template(kind: TemplateKind, language: str | None) -> OfferTemplate:
    return DEFAULT_TEMPLATES[kind, template_language(language)]


def default_greeting(language: str | None) -> str:
    return DEFAULT_GREETINGS[template_language(language)]
