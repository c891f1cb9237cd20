"""The multilingual label lexicon (party roles, goods-table columns, end-use fields and headings)."""

from __future__ import annotations

# Party-role labels. Matching is case- and accent-insensitive, so each is written once.
ROLE_LABELS: dict[str, list[str]] = {
    "applicant": [
        "applicant", "licence applicant", "license applicant", "name and address of applicant",
        "exporter", "consignor", "shipper", "seller", "vendor", "supplier", "applicant/exporter",
        "antragsteller", "ausführer", "versender", "verkäufer", "lieferant", "absender",
        "demandeur", "exportateur", "expéditeur", "vendeur", "fournisseur",
        "solicitante", "exportador", "remitente", "vendedor", "proveedor",
        "richiedente", "esportatore", "fornitore", "venditore",
    ],
    "purchaser": [
        "purchaser", "buyer", "bill to", "billed to", "sold to", "invoice to", "invoice address",
        "customer", "käufer", "besteller", "rechnungsempfänger", "rechnungsanschrift", "kunde",
        "acheteur", "facturer à", "client", "adresse de facturation",
        "comprador", "facturar a", "cliente", "acquirente",
    ],
    "intermediate_consignee": [
        "intermediate consignee", "intermediate consignees", "foreign intermediate consignee",
        "freight forwarder", "forwarder", "freight forwarder / intermediate consignee",
        "zwischenempfänger", "spediteur", "destinataire intermédiaire", "transitaire",
        "destinatario intermedio", "transitario", "destinatario intermedio/transitario",
    ],
    "consignee": [
        "consignee", "ultimate consignee", "foreign consignee", "ship to", "shipped to",
        "deliver to", "delivery address", "delivery to", "receiver", "recipient",
        "empfänger", "warenempfänger", "lieferanschrift", "lieferadresse",
        "destinataire", "destinataire final", "livrer à", "adresse de livraison",
        "destinatario", "consignatario", "enviar a", "dirección de entrega",
    ],
    "end_user": [
        "end user", "end-user", "enduser", "end users", "ultimate end user", "ultimate end-user",
        "final end user", "final end-user", "foreign end user", "foreign end-user",
        "endverwender", "endempfänger", "endnutzer", "endempfänger / endverwender",
        "utilisateur final", "destinataire et utilisateur final", "usuario final",
        "utilizzatore finale", "utente finale",
    ],
    "other": [
        "other party", "other party authorized to receive license",
        "other party authorised to receive licence", "agent",
    ],
}

COLUMN_LABELS: dict[str, list[str]] = {
    "no": ["no", "no.", "item", "item no", "item no.", "pos", "pos.", "position", "line", "nr",
           "nr.", "n°", "n.º", "nº", "n.°", "no°", "#", "lfd. nr.", "ln"],
    "description": [
        "description", "description of goods", "technical description", "goods description",
        "item description", "commodity description", "description of items", "goods",
        "designation", "product", "article", "warenbeschreibung", "bezeichnung",
        "bezeichnung der güter", "beschreibung", "güterbeschreibung", "désignation",
        "désignation des biens", "description des biens", "descripción",
        "descripción de los bienes", "descrizione", "denominazione",
    ],
    "classification": [
        "eccn", "control list entry", "control list number", "control list no.",
        "classification", "export classification", "rating", "control entry", "control code",
        "usml category", "ml category", "dual-use code", "ausfuhrlistennummer", "al-nr.",
        "al-nr", "al nr", "güterlistenposition", "ausfuhrliste", "classement",
        "rubrique de contrôle", "classification de contrôle", "clasificación",
        "código de control", "classificazione",
    ],
    "model": ["model", "model no.", "model no", "model number", "part number", "part no.",
              "p/n", "type", "typ", "modell", "modèle", "référence", "modelo", "modello",
              "catalogue no.", "article no."],
    "manufacturer": ["manufacturer", "make", "producer", "maker", "hersteller", "fabricant",
                     "fabricante", "produttore"],
    "quantity": ["quantity", "qty", "qty.", "quant.", "menge", "anzahl", "stückzahl",
                 "quantité", "qté", "cantidad", "cant.", "quantità"],
    "unit": ["unit", "units", "uom", "unit of measure", "einheit", "me", "unité", "unidad",
             "unità", "u/m"],
    "unit_price": ["unit price", "price/unit", "unit value", "price per unit", "unit cost",
                   "price", "einzelpreis", "stückpreis", "preis/einheit", "preis", "prix unitaire",
                   "p.u.", "prix", "precio unitario", "precio", "prezzo unitario"],
    "total": ["total", "amount", "total value", "line total", "total price", "value",
              "extended value", "extended price", "net value", "total amount", "gesamtpreis",
              "betrag", "wert", "gesamtwert", "gesamt", "summe", "montant", "valeur totale",
              "valeur", "prix total", "importe", "valor total", "valor", "importo", "totale"],
    "currency": ["currency", "curr.", "währung", "devise", "monnaie", "moneda", "valuta"],
}

END_USE_LABELS = [
    "specific end use", "end use", "end-use", "intended end use", "intended end-use",
    "intended use", "purpose", "purpose of use", "end use of the goods",
    "description of end use", "endverwendung", "verwendungszweck", "beabsichtigte verwendung",
    "utilisation finale", "utilisation finale prévue", "usage final", "uso final",
    "uso final previsto", "destinazione d'uso", "uso finale",
]

END_USE_HEADINGS = [
    "end-user certificate", "end user certificate", "end-use certificate", "end use certificate",
    "end-use statement", "end use statement", "end-user statement", "end user statement",
    "statement of end use", "certificate of end use", "end user undertaking",
    "end-user undertaking", "end-user declaration", "end user declaration",
    "declaration of end use", "end-use undertaking", "statement by ultimate consignee and purchaser",
    "endverbleibserklärung", "endverbleibsdokument", "erklärung über den endverbleib",
    "déclaration d'utilisation finale", "certificat d'utilisateur final",
    "certificat d'utilisation finale", "certificado de usuario final",
    "declaración de uso final", "certificato di utilizzo finale",
]

SUBFIELD_LABELS: dict[str, list[str]] = {
    "name": ["name", "company", "company name", "firm", "firma", "nom", "raison sociale",
             "nombre", "razón social", "organisation", "organization"],
    "address": ["address", "street", "anschrift", "adresse", "straße", "dirección", "indirizzo"],
    "country": ["country", "land", "staat", "pays", "país", "paese", "country of destination"],
    "contact": ["tel", "tel.", "telephone", "phone", "fax", "e-mail", "email", "contact",
                "telefon", "téléphone", "teléfono", "vat", "vat no.", "ust-idnr.", "www",
                "web", "eori", "attn", "attn.", "contact person"],
}

# Lines that end a certificate body: the signature block.
SIGNATURE_WORDS = ["signed", "signature", "signatory", "name and title", "date", "title",
                   "stamp", "unterschrift", "datum", "signé", "signature et cachet", "firma",
                   "fecha", "place and date", "ort und datum", "sello", "cachet"]

# Words that mark a goods-table totals row.
TOTAL_ROW_WORDS = {"total", "totals", "subtotal", "sub-total", "grand total", "gesamt",
                   "gesamtsumme", "summe", "zwischensumme", "montant total", "total général",
                   "importe total", "totale"}

# Values that mean "no such party".
NONE_VALUES = {"n/a", "na", "none", "-", "—", "–", "not applicable", "nil", "entfällt",
               "néant", "ninguno", "same as above", "see above", "n.a.", "keine"}
