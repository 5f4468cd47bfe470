"""Hard negatives for the dev set: real shipping and logistics companies that are not on the
bundled lists, and words to build look-alikes that share only generic words with listed names.

The company names are public facts (trade names of well-known carriers, forwarders, ship
managers, yards and port operators), written here by hand; none is on the OFAC list of
2025-11-19 or the coalition list (`make_devset.py` checks the normalised names against both).
"""

REAL_UNLISTED = """
A.P. Moller - Maersk A/S; Maersk Line A/S; Hapag-Lloyd AG; CMA CGM S.A.; Mediterranean Shipping Company S.A.;
Evergreen Marine Corporation (Taiwan) Ltd.; Yang Ming Marine Transport Corporation; Ocean Network Express Pte. Ltd.;
HMM Co., Ltd.; ZIM Integrated Shipping Services Ltd.; Wan Hai Lines Ltd.; Pacific International Lines (Pte) Ltd;
Kuehne + Nagel International AG; DHL Global Forwarding GmbH; DB Schenker AG; DSV A/S; Geodis SA;
Bollore Logistics SAS; Euronav NV; Frontline plc; Teekay Tankers Ltd.; Scorpio Tankers Inc.; TORM plc;
Stena Bulk AB; Navios Maritime Holdings Inc.; Dorian LPG Ltd.; Star Bulk Carriers Corp.; Golden Ocean Group Limited;
Safe Bulkers Inc.; Diana Shipping Inc.; Danaos Corporation; Costamare Inc.; Seaspan Corporation;
Tsakos Energy Navigation Limited; Dynagas LNG Partners LP; GasLog Ltd.; Flex LNG Ltd.; Hoegh Autoliners AS;
Wallenius Wilhelmsen ASA; Grimaldi Euromed S.p.A.; Stolt-Nielsen Limited; Odfjell SE; Pacific Basin Shipping Limited;
Oldendorff Carriers GmbH & Co. KG; Hafnia Limited; Ardmore Shipping Corporation; International Seaways, Inc.;
Overseas Shipholding Group, Inc.; Matson Navigation Company, Inc.; Crowley Maritime Corporation;
Seaboard Marine Ltd.; Tropical Shipping and Construction Company Limited; Hamburg Sud KG; X-Press Feeders Pte Ltd;
Unifeeder A/S; Samskip Holding B.V.; Eimskipafelag Islands hf.; Finnlines Plc; AS Tallink Grupp; Stena Line Scandinavia AB;
DFDS A/S; Brittany Ferries SA; P&O Ferries Limited; Color Line AS; Viking Line Abp; Moby S.p.A.;
Balearia Eurolineas Maritimas S.A.; Naviera Armas S.A.; Fred. Olsen Cruise Lines Ltd; CLdN Cobelfret SA;
Boluda Corporacion Maritima S.L.; Van Oord Dredging and Marine Contractors B.V.; Royal Boskalis Westminster N.V.;
Jan De Nul NV; DEME NV; Spliethoff Group B.V.; Royal Wagenborg B.V.; Vroon B.V.; Anthony Veder Group N.V.;
Damen Shipyards Group N.V.; Fincantieri S.p.A.; Meyer Werft GmbH & Co. KG; Chantiers de l'Atlantique SA;
Navantia S.A.; Exmar NV; Compagnie Maritime Belge NV; Bocimar International NV; Rickmers Holding GmbH & Co KG;
Peter Dohle Schiffahrts-KG; Bernhard Schulte Shipmanagement (Cyprus) Ltd; Columbia Shipmanagement Ltd;
V.Ships Limited; Anglo-Eastern Ship Management Ltd.; Fleet Management Limited; Synergy Marine Pte Ltd;
Thome Ship Management Pte Ltd; Wallem Shipmanagement Limited; OSM Maritime Group AS; MSC Cruises S.A.;
Costa Crociere S.p.A.; Carnival Corporation & plc; Royal Caribbean Cruises Ltd.; Norwegian Cruise Line Holdings Ltd.;
Port of Rotterdam Authority N.V.; Port of Antwerp-Bruges NV; Hamburger Hafen und Logistik AG; Eurogate GmbH & Co. KGaA;
PSA International Pte Ltd; Hutchison Ports Holdings Limited; DP World Limited; APM Terminals B.V.;
Terminal Investment Limited SARL; Contship Italia S.p.A.; Noatum Ports S.L.U.; Marport S.A.; Haropa Port;
CEVA Logistics SA; Expeditors International of Washington, Inc.; C.H. Robinson Worldwide, Inc.; Nippon Express Co., Ltd.;
Kintetsu World Express, Inc.; Agility Public Warehousing Company K.S.C.P.; Rhenus SE & Co. KG; Dachser SE;
Hellmann Worldwide Logistics SE & Co. KG; Raben Group B.V.; Gefco SA; Sea-Intelligence ApS; Clarksons PLC;
Braemar Shipping Services PLC; SSY Simpson Spence Young Ltd; Gibson Shipbrokers Ltd; Lloyd's Register Group Limited;
DNV AS; Bureau Veritas SA; American Bureau of Shipping; RINA S.p.A.; Inchcape Shipping Services Holdings Limited;
Wilhelmsen Ships Service AS; GAC Group; Sharaf Shipping Agency LLC; Gulftainer Company Limited;
Kotug International B.V.; Svitzer A/S; Smit Lamnalco B.V.; Boskalis Offshore Marine Services B.V.;
Vopak N.V.; Koole Terminals B.V.; Oiltanking GmbH; Stolthaven Terminals B.V.; Katoen Natie NV;
Manuport Logistics NV; Van Moer Logistics NV; H.Essers NV; Jost Group SA; Sitra Logistics NV;
Kloosterboer B.V.; Lineage Logistics Holdings LLC; Vos Logistics B.V.; Neele-Vat Logistics B.V.;
Nijhof-Wassink Groep B.V.; Mainfreight Holland B.V.; Duvenbeck Logistik GmbH; Fiege Logistik Stiftung & Co. KG;
Lehnkering GmbH; Imperial Logistics International B.V. & Co. KG; Contargo GmbH & Co. KG; Sogestran SA;
CFT Compagnie Fluviale de Transport; Grimaldi Deep Sea S.p.A.; Tirrenia Compagnia Italiana di Navigazione S.p.A.;
Grandi Navi Veloci S.p.A.; Trasmed GLE S.L.; Suardiaz Servicios Maritimos S.L.; Bergé Logística S.L.;
Marmedsa Noatum Maritime S.L.; Romeu y Cia S.A.; Transportes Buytrago S.A.; Primafrio S.L.;
Ocean Yield ASA; Belships ASA; Klaveness Combination Carriers ASA; Himalaya Shipping Ltd.;
Eagle Bulk Shipping Inc.; Genco Shipping & Trading Limited; Pangaea Logistics Solutions Ltd.; Navigator Holdings Ltd.;
Capital Product Partners L.P.; Euroseas Ltd.; EuroDry Ltd.; Castor Maritime Inc.; Performance Shipping Inc.;
Pyxis Tankers Inc.; Imperial Petroleum Inc.; Okeanis Eco Tankers Corp.; DHT Holdings, Inc.; Nordic American Tankers Limited;
Minerva Marine Inc.; Thenamaris (Ships Management) Inc.; Eastern Mediterranean Maritime Limited; Chandris (Hellas) Inc.;
Angelicoussis Shipping Group Limited; Maran Tankers Management Inc.; Dynacom Tankers Management Ltd.;
Capital Ship Management Corp.; Neda Maritime Agency Co. Ltd.; Alpha Tankers and Freighters International Ltd.
"""

# Words that carry no meaning of their own in these names: a look-alike keeps them.
GENERIC = frozenset("""
shipping maritime marine navigation lines line logistics transport trading trade international global group holding
holdings services service management ship ships shipmanagement tankers tanker bulk cargo freight forwarding import
export agency company enterprises enterprise industries industrial investment general ocean sea carriers carrier
express port terminal commercial energy petroleum oil gas solutions partners network worldwide co corp corporation
limited ltd llc inc fze fzco dmcc sa nv bv gmbh jsc pjsc plc pte sarl srl spa sl and of the & s.a. ltd. co. inc.
""".split())

# Distinctive words to put in place of a listed name's own (places, stars, birds, surnames).
REPLACEMENTS = """
Aldebaran Corvina Tamarind Halcyon Brightwater Calloway Dunmore Everett Fairhaven Glenmore Harwick Ivanhoe Juniper
Kestrel Lindqvist Marlowe Northcote Oakridge Pemberton Quayside Redcliffe Stanmore Thornbury Underhill Valencia
Westbrook Yarrow Zephyrus Ashdown Bellingham Carrick Dunstan Elmstead Foxley Greyfriars Hollins Ingram Jarrow
Kingsley Lambton Merrick Newhaven Orwell Penrose Ravensworth Saltash Tavistock Upton Verwood Whitby Aurelio Bastiani
Castellano Donatelli Esposito Fiorentino Galvani Lombardo Marchetti Nardone Ortolani Pellegrini Quaranta Rinaldi
Santangelo Tedeschi Valentini Zanetti Albatros Bosphorus Caspian Danube Euphrates Fjordane Gironde Humber Indus
Jordan Kolyma Limpopo Mekong Niger Orinoco Parana Rhone Severn Tagus Ural Volga Weser Yukon Zambezi Arcturus
Bellatrix Capella Deneb Electra Fomalhaut Gemma Hadar Izar Kochab Lyra Mirach Nashira Polaris Rigel Sirrah Tarazed
Vega Wezen Zaurak Kittiwake Petrel Cormorant Gannet Puffin Tern Plover Heron Osprey Curlew Lapwing Egret Avocet
""".split()
