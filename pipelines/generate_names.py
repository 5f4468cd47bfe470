"""Synthetic parties for `generate`: per-country names, legal forms, banks, IBANs, remittances.

Pure data plus small builders. A country's pool of parties is drawn once and reused, so
counterparties repeat the way they do in real feeds. IBANs carry correct ISO 13616 check
digits and, where cheap, the national check too (BE, FR, IT, ES, NL); BICs are real banks'.
"""

from __future__ import annotations

import random
from typing import NamedTuple


def _w(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


class Profile(NamedTuple):
    """Names of one language area: people, company words and legal forms (weighted by repeat)."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    sectors: tuple[str, ...]
    places: tuple[str, ...]
    forms: tuple[str, ...]
    invoice: str  # the local word for "invoice"
    two_surnames: bool = False


class Bank(NamedTuple):
    code: str  # national bank code as it sits in the BBAN
    bic: str
    name: str


class SynthParty(NamedTuple):
    name: str
    account: str  # IBAN
    bic: str
    country: str
    bank: str  # the bank's name (reporting entity)
    company: bool


PROFILES: dict[str, Profile] = {
    "nl-BE": Profile(
        _w("Lucas, Noah, Liam, Arthur, Wout, Jules, Emma, Olivia, Louise, Mila, Elena, Lotte,"
           "Pieter, Jan, Sofie, Ine, Bram, Thomas, Femke, Stijn, Lien, Koen, Annelies, Jeroen"),
        _w("Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters, De Smet,"
           "Van den Broeck, Verhoeven, Vermeulen, Hermans, Van Damme, Aerts, Michiels, De Vos,"
           "Lambrechts, Coppens, Smets, Pauwels, Van de Velde, De Backer, Vandenberghe"),
        _w("Logistiek, Transport, Handel, Bouw, Scheepvaart, Expeditie, Techniek, Vastgoed,"
           "Import Export, Houthandel, Agri"),
        _w("Schelde, Antwerpen, Vlaanderen, Kempen, Gent, Brugge, Noordzee, Zeebrugge, Waasland"),
        _w("BV, BV, BV, NV"), "factuur"),
    "fr-BE": Profile(
        _w("Louis, Gabriel, Hugo, Camille, Chloé, Léa, Manon, Nathan, Julien, Amélie, Sébastien,"
           "Aurélie, Benoît, Céline, François, Geneviève, Laurent, Mathilde, Olivier, Pauline"),
        _w("Dubois, Lambert, Dupont, Martin, Simon, Leclercq, Renard, Lemaire, Collard, Henry,"
           "Denis, François, Lejeune, Mathieu, Gérard, Dumont, Fontaine, Charlier, Jacquet"),
        _w("Transports, Logistique, Négoce, Construction, Services, Distribution, Immobilier,"
           "Import Export, Conseil"),
        _w("Meuse, Wallonie, Ardennes, Liège, Namur, Charleroi, Brabant, Sambre"),
        _w("SRL, SRL, SRL, SA"), "facture"),
    "de": Profile(
        _w("Lukas, Leon, Finn, Jonas, Paul, Felix, Maximilian, Lena, Anna, Hannah, Sophie, Marie,"
           "Jürgen, Klaus, Sabine, Ursula, Stefan, Michael, Katrin, Björn, Jörg, Ute, Tobias"),
        _w("Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann,"
           "Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann,"
           "Braun, Krüger, Hartmann, Lange, Werner, Krause, Lehmann, Köhler, Weiß"),
        _w("Logistik, Spedition, Handel, Bau, Transporte, Maschinenbau, Reederei, Schifffahrt,"
           "Immobilien, Technik, Import Export, Holding"),
        _w("Nordsee, Rhein, Hansa, Elbe, Alpen, Weser, Ostsee, Hanseatic, Bavaria, Main"),
        _w("GmbH, GmbH, GmbH, GmbH, AG, GmbH & Co. KG, GmbH & Co. KG, KG"), "Rechnung"),
    "fr": Profile(
        _w("Jean, Pierre, Michel, Philippe, Alain, Nicolas, Christophe, Stéphane, Marie, Nathalie,"
           "Isabelle, Sylvie, Catherine, Sandrine, Léa, Emma, Chloé, Hugo, Théo, Inès, Maëlle,"
           "Joël, Hélène, Gaëlle, Jérôme"),
        _w("Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent,"
           "Simon, Michel, Lefèvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet,"
           "Dupont, Lambert, Fontaine, Rousseau, Vincent, Faure, André, Mercier, Blanc, Guérin"),
        _w("Transports, Logistique, Négoce, Construction, Services, Maritime, Distribution,"
           "Import Export, Immobilier, Conseil, Affrètement"),
        _w("Atlantique, Seine, Provence, Normandie, Rhône, Bretagne, Loire, Méditerranée, Alsace"),
        _w("SAS, SAS, SAS, SARL, SARL, SA"), "facture"),
    "it": Profile(
        _w("Giuseppe, Giovanni, Antonio, Mario, Luigi, Francesco, Angelo, Vincenzo, Pietro,"
           "Salvatore, Maria, Anna, Giuseppina, Rosa, Angela, Giovanna, Teresa, Lucia, Carmela,"
           "Alessandro, Lorenzo, Matteo, Giulia, Chiara, Federica, Niccolò"),
        _w("Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco,"
           "Bruno, Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti,"
           "Barbieri, Fontana, Santoro, Mariani, Rinaldi, Caruso, Ferrara, Galli, Leone"),
        _w("Trasporti, Logistica, Commercio, Costruzioni, Spedizioni, Navigazione, Servizi,"
           "Import Export, Immobiliare, Meccanica"),
        _w("Adriatica, Tirrena, Ligure, Padana, Veneta, Sicula, Lombarda, Toscana, Etrusca"),
        _w("S.r.l., S.r.l., S.r.l., S.p.A."), "fattura"),
    "es": Profile(
        _w("Antonio, José, Manuel, Francisco, David, Juan, Javier, Daniel, Carlos, Jesús, María,"
           "Carmen, Ana, Isabel, Laura, Cristina, Marta, Lucía, Pilar, Sergio, Álvaro, Iñigo,"
           "Begoña, Nuria, Raúl"),
        _w("García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez,"
           "Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso,"
           "Gutiérrez, Navarro, Torres, Domínguez, Vázquez, Ramos, Serrano, Blanco, Molina"),
        _w("Transportes, Logística, Comercial, Construcciones, Navegación, Servicios,"
           "Import Export, Inmobiliaria, Distribuciones, Consignaciones"),
        _w("Ibérica, Cantábrica, Levante, Mediterránea, Atlántica, Galaica, Andaluza, Castellana"),
        _w("S.L., S.L., S.L., S.A."), "factura", True),
    "nl": Profile(
        _w("Daan, Sem, Lucas, Levi, Finn, Milan, Bram, Jesse, Thijs, Ruben, Emma, Julia, Mila,"
           "Tess, Sophie, Zoë, Sara, Anna, Eva, Lotte, Jan, Pieter, Kees, Willem, Marieke, Anouk"),
        _w("de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit,"
           "Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker,"
           "Brouwer, de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, de Haan"),
        _w("Logistiek, Transport, Handel, Bouw, Scheepvaart, Expeditie, Techniek, Vastgoed,"
           "Import Export, Bevrachting, Agri"),
        _w("Noordzee, Maas, Delta, Holland, Rijn, Waal, Europoort, Amstel, Hollandia, Zuid"),
        _w("B.V., B.V., B.V., B.V., N.V., V.O.F."), "factuur"),
}

COUNTRY_PROFILES: dict[str, tuple[str, ...]] = {
    "BE": ("nl-BE", "nl-BE", "nl-BE", "fr-BE", "fr-BE"),
    "DE": ("de",), "FR": ("fr",), "IT": ("it",), "ES": ("es",), "NL": ("nl",),
}

IBAN_LENGTHS: dict[str, int] = {"BE": 16, "DE": 22, "FR": 27, "IT": 27, "ES": 24, "NL": 18}
SUPPORTED_COUNTRIES: tuple[str, ...] = tuple(IBAN_LENGTHS)


def _banks(text: str) -> tuple[Bank, ...]:
    return tuple(Bank(*part.split(":")) for part in _w(text))


BANKS: dict[str, tuple[Bank, ...]] = {
    "BE": _banks("001:GEBABEBB:BNP Paribas Fortis, 734:KREDBEBB:KBC Bank, 310:BBRUBEBB:ING Belgium,"
                 "068:GKCCBEBB:Belfius Bank, 979:ARSPBE22:Argenta, 751:AXABBE22:Crelan"),
    "DE": _banks("50070010:DEUTDEFF:Deutsche Bank, 37040044:COBADEFF:Commerzbank,"
                 "20050550:HASPDEHH:Hamburger Sparkasse, 70020270:HYVEDEMM:HypoVereinsbank,"
                 "60050101:SOLADEST:BW-Bank, 50010517:INGDDEFF:ING-DiBa"),
    "FR": _banks("30004:BNPAFRPP:BNP Paribas, 30003:SOGEFRPP:Société Générale, 30002:CRLYFRPP:LCL,"
                 "10107:BREDFRPP:BRED, 30066:CMCIFRPP:CIC, 18206:AGRIFRPP:Crédit Agricole"),
    "IT": _banks("03069:BCITITMM:Intesa Sanpaolo, 02008:UNCRITMM:UniCredit, 05034:BAPPIT21:Banco BPM,"
                 "01030:PASCITMM:Monte dei Paschi, 05696:POSOIT22:Banca Popolare di Sondrio"),
    "ES": _banks("0049:BSCHESMM:Banco Santander, 0182:BBVAESMM:BBVA, 2100:CAIXESBB:CaixaBank,"
                 "0081:BSABESBB:Banco Sabadell, 0128:BKBKESMM:Bankinter"),
    "NL": _banks("ABNA:ABNANL2A:ABN AMRO, INGB:INGBNL2A:ING Bank, RABO:RABONL2U:Rabobank,"
                 "SNSB:SNSBNL2A:de Volksbank, TRIO:TRIONL2U:Triodos Bank, BUNQ:BUNQNL2A:bunq"),
}

REMITTANCES: tuple[str, ...] = _w(
    "invoice {}, invoice {}, INV-{}, order {}, freight Rotterdam–Santos, freight Antwerp–Shanghai,"
    "freight Hamburg–Singapore, freight Genoa–Alexandria, container deposit, demurrage B/L {},"
    "port dues {}, bunker supply {}, charter hire, customs clearance {}, consulting fees,"
    "loan repayment, rent, insurance premium {}, spare parts {}, advance payment PO {},"
    "salary, refund {}, storage fees {}"
)


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10**n)).zfill(n)


_LETTERS_AS_DIGITS = str.maketrans({chr(c): str(c - 55) for c in range(65, 91)})


def iban_check_digits(country: str, bban: str) -> str:
    """The two ISO 13616 check digits for a BBAN (mod 97 over BBAN + country + '00')."""
    number = int((bban + country).translate(_LETTERS_AS_DIGITS) + "00")
    return f"{98 - number % 97:02d}"


_CIN_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21)
_ES_WEIGHTS = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)


def _it_cin(body: str) -> str:
    total = sum(_CIN_ODD[int(ch)] if i % 2 == 0 else int(ch) for i, ch in enumerate(body))
    return chr(65 + total % 26)


def _es_dc(ten: str) -> str:
    d = 11 - sum(int(ch) * w for ch, w in zip(ten, _ES_WEIGHTS)) % 11
    return str({11: 0, 10: 1}.get(d, d))


def _nl_account(rng: random.Random) -> str:
    while True:  # "elfproef": weighted digit sum divisible by 11
        head = _digits(rng, 9)
        last = -sum(int(ch) * w for ch, w in zip(head, range(10, 1, -1))) % 11
        if last < 10:
            return head + str(last)


def make_iban(rng: random.Random, country: str, bank: Bank) -> str:
    """A random, valid IBAN at `bank` with the country's length and national check digits."""
    if country == "BE":
        ten = bank.code + _digits(rng, 7)
        bban = ten + f"{int(ten) % 97 or 97:02d}"
    elif country == "DE":
        bban = bank.code + _digits(rng, 10)
    elif country == "FR":
        branch, account = _digits(rng, 5), _digits(rng, 11)
        key = 97 - (89 * int(bank.code) + 15 * int(branch) + 3 * int(account)) % 97
        bban = f"{bank.code}{branch}{account}{key:02d}"
    elif country == "IT":
        body = bank.code + _digits(rng, 5) + _digits(rng, 12)
        bban = _it_cin(body) + body
    elif country == "ES":
        branch, account = _digits(rng, 4), _digits(rng, 10)
        bban = bank.code + branch + _es_dc("00" + bank.code + branch) + _es_dc(account) + account
    elif country == "NL":
        bban = bank.code + _nl_account(rng)
    else:
        raise ValueError(f"no IBAN format for {country}")
    return country + iban_check_digits(country, bban) + bban


def _pick(rng: random.Random, items: tuple[str, ...]) -> str:
    return items[int(rng.random() * len(items))]


def person_name(rng: random.Random, p: Profile) -> str:
    name = f"{_pick(rng, p.first)} {_pick(rng, p.last)}"
    if p.two_surnames:
        name = f"{name} {_pick(rng, p.last)}"
    elif rng.random() < 0.1:  # a second given name
        name = name.replace(" ", f" {_pick(rng, p.first)} ", 1)
    return name


def company_name(rng: random.Random, p: Profile) -> str:
    r = rng.random()
    if r < 0.35:
        base = f"{_pick(rng, p.last)} {_pick(rng, p.sectors)}"
    elif r < 0.55:
        base = f"{_pick(rng, p.last)} & {_pick(rng, p.last)}"
    elif r < 0.85:
        base = f"{_pick(rng, p.places)} {_pick(rng, p.sectors)}"
    else:
        base = _pick(rng, p.last)
    return f"{base} {_pick(rng, p.forms)}"


def make_party(rng: random.Random, country: str, company_share: float = 0.6) -> SynthParty:
    profile = PROFILES[_pick(rng, COUNTRY_PROFILES[country])]
    company = rng.random() < company_share
    name = company_name(rng, profile) if company else person_name(rng, profile)
    bank = BANKS[country][int(rng.random() * len(BANKS[country]))]
    return SynthParty(name, make_iban(rng, country, bank), bank.bic, country, bank.name, company)


def party_pool(rng: random.Random, country: str, size: int, foreign_share: float = 0.2
               ) -> tuple[list[SynthParty], list[SynthParty]]:
    """(domestic, all) parties: `size` parties, about `foreign_share` of them from the other
    supported countries (cross-border counterparties)."""
    others = [c for c in SUPPORTED_COUNTRIES if c != country]
    domestic: list[SynthParty] = []
    everyone: list[SynthParty] = []
    for _ in range(size):
        foreign = rng.random() < foreign_share
        party = make_party(rng, _pick(rng, tuple(others)) if foreign else country)
        everyone.append(party)
        if not foreign:
            domestic.append(party)
    if not domestic:
        domestic.append(make_party(rng, country))
    return domestic, everyone


def remittance(rng: random.Random, country: str) -> str:
    """Free remittance text: English templates or the country's word for "invoice"."""
    r = rng.random()
    if r < 0.08:
        return ""
    number = 1000 + int(rng.random() * 98000)
    if r < 0.3:
        return f"{PROFILES[_pick(rng, COUNTRY_PROFILES[country])].invoice} {number}"
    return REMITTANCES[int(rng.random() * len(REMITTANCES))].format(number)
