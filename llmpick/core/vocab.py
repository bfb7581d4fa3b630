"""Fixed vocabularies shared by cards, licenses and the advisor."""

from __future__ import annotations

TASKS = (
    "completion", "chat", "instruct", "code", "reasoning", "math", "embedding", "vision",
    "tool-use", "translation", "summarization", "classification", "fill-mask", "question-answering",
)
MODALITIES = ("text", "image", "audio", "video")
ARCHITECTURES = ("decoder", "moe-decoder", "encoder", "encoder-decoder", "rnn")
OPENNESS_LEVELS = ("open", "restricted", "closed")
PROVENANCE_FLAGS = (
    "trained-on-proprietary-model-outputs",
    "conflicting-license-statements",
    "unofficial-weights",
)
COMMERCIAL_VERDICTS = ("yes", "conditional", "no")
VERDICT_WORDS = {"yes": "commercial use allowed", "conditional": "commercial use under conditions",
                 "no": "no commercial use"}
LICENSE_CONDITIONS = (
    "attribution", "notice", "share-alike", "copyleft", "network-copyleft", "user-cap", "revenue-cap",
    "acceptable-use-policy", "no-training-other-models", "derivative-naming", "registration-required",
    "research-only", "non-commercial", "hosting-restriction", "region-restriction",
)
QUANTIZATIONS = (
    "fp32", "bf16", "fp16", "int8", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0", "q3_k_m", "q2_k",
    "gptq-4bit", "awq-4bit", "nf4", "mxfp4", "fp8", "nvfp4", "int4-qat",
)
ATTENTION_KINDS = ("mha", "gqa", "mqa", "mla", "hybrid")
# the format the publisher released the weights in (config.json torch_dtype / quantization_config)
NATIVE_PRECISIONS = ("fp32", "bf16", "fp16", "fp8", "mxfp4", "nvfp4", "int4-qat")
DEVICES = ("gpu", "cpu", "apple")
EVALUATORS = ("publisher", "independent")  # who ran a benchmark: the model's publisher, or a third party
BENCHMARK_MEASURES = (
    "general", "knowledge", "reasoning", "code", "math", "instruction-following", "chinese", "multilingual",
    "preference", "agentic",
)
# variant tokens any benchmark may carry; a benchmark's registry entry adds its own (editions, details)
REASONING_MODES = ("thinking", "non-thinking")
COMMON_VARIANT_TOKENS = ("cot", "default", "high-effort", "no-tools", "pass@1", "greedy")
COMMON_VARIANT_PATTERN = r"^(\d+-shot|pass@\d+|maj@\d+|avg@\d+)$"

# ISO 639-1: code -> English name. Used to validate cards and to accept names such as "chinese".
_ISO_639_1 = """
aa Afar|ab Abkhazian|ae Avestan|af Afrikaans|ak Akan|am Amharic|an Aragonese|ar Arabic|as Assamese|
av Avaric|ay Aymara|az Azerbaijani|ba Bashkir|be Belarusian|bg Bulgarian|bi Bislama|bm Bambara|
bn Bengali|bo Tibetan|br Breton|bs Bosnian|ca Catalan|ce Chechen|ch Chamorro|co Corsican|cr Cree|
cs Czech|cu Church Slavic|cv Chuvash|cy Welsh|da Danish|de German|dv Divehi|dz Dzongkha|ee Ewe|
el Greek|en English|eo Esperanto|es Spanish|et Estonian|eu Basque|fa Persian|ff Fulah|fi Finnish|
fj Fijian|fo Faroese|fr French|fy Western Frisian|ga Irish|gd Scottish Gaelic|gl Galician|gn Guarani|
gu Gujarati|gv Manx|ha Hausa|he Hebrew|hi Hindi|ho Hiri Motu|hr Croatian|ht Haitian|hu Hungarian|
hy Armenian|hz Herero|ia Interlingua|id Indonesian|ie Interlingue|ig Igbo|ii Sichuan Yi|ik Inupiaq|
io Ido|is Icelandic|it Italian|iu Inuktitut|ja Japanese|jv Javanese|ka Georgian|kg Kongo|ki Kikuyu|
kj Kuanyama|kk Kazakh|kl Kalaallisut|km Khmer|kn Kannada|ko Korean|kr Kanuri|ks Kashmiri|ku Kurdish|
kv Komi|kw Cornish|ky Kirghiz|la Latin|lb Luxembourgish|lg Ganda|li Limburgish|ln Lingala|lo Lao|
lt Lithuanian|lu Luba-Katanga|lv Latvian|mg Malagasy|mh Marshallese|mi Maori|mk Macedonian|
ml Malayalam|mn Mongolian|mr Marathi|ms Malay|mt Maltese|my Burmese|na Nauru|nb Norwegian Bokmal|
nd North Ndebele|ne Nepali|ng Ndonga|nl Dutch|nn Norwegian Nynorsk|no Norwegian|nr South Ndebele|
nv Navajo|ny Chichewa|oc Occitan|oj Ojibwa|om Oromo|or Oriya|os Ossetian|pa Punjabi|pi Pali|pl Polish|
ps Pashto|pt Portuguese|qu Quechua|rm Romansh|rn Rundi|ro Romanian|ru Russian|rw Kinyarwanda|
sa Sanskrit|sc Sardinian|sd Sindhi|se Northern Sami|sg Sango|si Sinhala|sk Slovak|sl Slovenian|
sm Samoan|sn Shona|so Somali|sq Albanian|sr Serbian|ss Swati|st Southern Sotho|su Sundanese|
sv Swedish|sw Swahili|ta Tamil|te Telugu|tg Tajik|th Thai|ti Tigrinya|tk Turkmen|tl Tagalog|
tn Tswana|to Tonga|tr Turkish|ts Tsonga|tt Tatar|tw Twi|ty Tahitian|ug Uighur|uk Ukrainian|ur Urdu|
uz Uzbek|ve Venda|vi Vietnamese|vo Volapuk|wa Walloon|wo Wolof|xh Xhosa|yi Yiddish|yo Yoruba|
za Zhuang|zh Chinese|zu Zulu
"""
LANGUAGES: dict[str, str] = dict(
    entry.strip().split(" ", 1) for entry in _ISO_639_1.replace("\n", "").split("|")
)
_LANGUAGE_NAMES = {name.lower(): code for code, name in LANGUAGES.items()}
_LANGUAGE_NAMES.update({"mandarin": "zh", "cantonese": "zh", "farsi": "fa", "filipino": "tl"})


def language_code(text: str) -> str | None:
    """The ISO 639-1 code for a code or an English language name, or None."""
    key = text.strip().lower()
    if key in LANGUAGES:
        return key
    return _LANGUAGE_NAMES.get(key)

# ISO 3166-1 alpha-2 country codes (officially assigned), for --region and licenses' excluded regions
_ISO_3166_1 = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA
CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA
GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS
RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW
TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(_ISO_3166_1.split())
# the 27 member states of the European Union (since 2020-02-01)
EU_MEMBERS = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
REGIONS = COUNTRIES | {"EU"}
_REGION_ALIASES = {"UK": "GB", "EL": "GR"}  # the EU's own codes for the United Kingdom (before 2020) and Greece


def region_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code (or EU) for `text`, upper-cased; None if it is not one."""
    key = text.strip().upper()
    key = _REGION_ALIASES.get(key, key)
    return key if key in REGIONS else None


def region_within(region: str, excluded: str) -> bool:
    """Whether someone in `region` is inside the `excluded` region (a country, or EU for any member state)."""
    return region == excluded or (excluded == "EU" and region in EU_MEMBERS)
