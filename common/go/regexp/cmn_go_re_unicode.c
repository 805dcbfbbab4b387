/* cmn_go_re_unicode.c - the Unicode class names Go 1.25's regexp accepts in \p{...}, how PCRE2
 * spells each, and the code points Go's case folding adds to some of them. */
#include "cmn_go_re_int.h"

#include <string.h>

#define CAT(go, pcre, fold)                                                                        \
    {                                                                                              \
        go, pcre, GRE_UC_PCRE, fold                                                                \
    }
#define SCRIPT(go)                                                                                 \
    {                                                                                              \
        go, go, GRE_UC_PCRE, GRE_FOLD_NONE                                                         \
    }

/* Go 1.25: unicode.Categories (with LC and Cn, and C now including Cn), unicode.CategoryAliases,
 * unicode.Scripts (Unicode 15.0.0) and the special names Any, Assigned and ASCII. The fold
 * column is unicode.FoldCategory / unicode.FoldScript. */
static const struct gre_uname names[] = {
    {"Any", "Any", GRE_UC_ANY, GRE_FOLD_NONE},
    {"Assigned", "Cn", GRE_UC_ASSIGNED, GRE_FOLD_NONE},
    {"ASCII", "", GRE_UC_ASCII, GRE_FOLD_NONE},
    /* general categories */
    CAT("C", "C", GRE_FOLD_NONE),
    CAT("Cc", "Cc", GRE_FOLD_NONE),
    CAT("Cf", "Cf", GRE_FOLD_NONE),
    CAT("Cn", "Cn", GRE_FOLD_NONE),
    CAT("Co", "Co", GRE_FOLD_NONE),
    CAT("Cs", "Cs", GRE_FOLD_NONE),
    CAT("L", "L", GRE_FOLD_YPOGEGR),
    CAT("LC", "L&", GRE_FOLD_YPOGEGR),
    CAT("Ll", "Ll", GRE_FOLD_CASED),
    CAT("Lm", "Lm", GRE_FOLD_NONE),
    CAT("Lo", "Lo", GRE_FOLD_NONE),
    CAT("Lt", "Lt", GRE_FOLD_CASED),
    CAT("Lu", "Lu", GRE_FOLD_CASED),
    CAT("M", "M", GRE_FOLD_IOTA),
    CAT("Mc", "Mc", GRE_FOLD_NONE),
    CAT("Me", "Me", GRE_FOLD_NONE),
    CAT("Mn", "Mn", GRE_FOLD_IOTA),
    CAT("N", "N", GRE_FOLD_NONE),
    CAT("Nd", "Nd", GRE_FOLD_NONE),
    CAT("Nl", "Nl", GRE_FOLD_NONE),
    CAT("No", "No", GRE_FOLD_NONE),
    CAT("P", "P", GRE_FOLD_NONE),
    CAT("Pc", "Pc", GRE_FOLD_NONE),
    CAT("Pd", "Pd", GRE_FOLD_NONE),
    CAT("Pe", "Pe", GRE_FOLD_NONE),
    CAT("Pf", "Pf", GRE_FOLD_NONE),
    CAT("Pi", "Pi", GRE_FOLD_NONE),
    CAT("Po", "Po", GRE_FOLD_NONE),
    CAT("Ps", "Ps", GRE_FOLD_NONE),
    CAT("S", "S", GRE_FOLD_NONE),
    CAT("Sc", "Sc", GRE_FOLD_NONE),
    CAT("Sk", "Sk", GRE_FOLD_NONE),
    CAT("Sm", "Sm", GRE_FOLD_NONE),
    CAT("So", "So", GRE_FOLD_NONE),
    CAT("Z", "Z", GRE_FOLD_NONE),
    CAT("Zl", "Zl", GRE_FOLD_NONE),
    CAT("Zp", "Zp", GRE_FOLD_NONE),
    CAT("Zs", "Zs", GRE_FOLD_NONE),
    /* category aliases (Unicode PropertyValueAliases.txt, gc) */
    CAT("Other", "C", GRE_FOLD_NONE),
    CAT("Control", "Cc", GRE_FOLD_NONE),
    CAT("cntrl", "Cc", GRE_FOLD_NONE),
    CAT("Format", "Cf", GRE_FOLD_NONE),
    CAT("Unassigned", "Cn", GRE_FOLD_NONE),
    CAT("Private_Use", "Co", GRE_FOLD_NONE),
    CAT("Surrogate", "Cs", GRE_FOLD_NONE),
    CAT("Letter", "L", GRE_FOLD_YPOGEGR),
    CAT("Cased_Letter", "L&", GRE_FOLD_YPOGEGR),
    CAT("Lowercase_Letter", "Ll", GRE_FOLD_CASED),
    CAT("Modifier_Letter", "Lm", GRE_FOLD_NONE),
    CAT("Other_Letter", "Lo", GRE_FOLD_NONE),
    CAT("Titlecase_Letter", "Lt", GRE_FOLD_CASED),
    CAT("Uppercase_Letter", "Lu", GRE_FOLD_CASED),
    CAT("Mark", "M", GRE_FOLD_IOTA),
    CAT("Combining_Mark", "M", GRE_FOLD_IOTA),
    CAT("Spacing_Mark", "Mc", GRE_FOLD_NONE),
    CAT("Enclosing_Mark", "Me", GRE_FOLD_NONE),
    CAT("Nonspacing_Mark", "Mn", GRE_FOLD_IOTA),
    CAT("Number", "N", GRE_FOLD_NONE),
    CAT("Decimal_Number", "Nd", GRE_FOLD_NONE),
    CAT("digit", "Nd", GRE_FOLD_NONE),
    CAT("Letter_Number", "Nl", GRE_FOLD_NONE),
    CAT("Other_Number", "No", GRE_FOLD_NONE),
    CAT("Punctuation", "P", GRE_FOLD_NONE),
    CAT("punct", "P", GRE_FOLD_NONE),
    CAT("Connector_Punctuation", "Pc", GRE_FOLD_NONE),
    CAT("Dash_Punctuation", "Pd", GRE_FOLD_NONE),
    CAT("Close_Punctuation", "Pe", GRE_FOLD_NONE),
    CAT("Final_Punctuation", "Pf", GRE_FOLD_NONE),
    CAT("Initial_Punctuation", "Pi", GRE_FOLD_NONE),
    CAT("Other_Punctuation", "Po", GRE_FOLD_NONE),
    CAT("Open_Punctuation", "Ps", GRE_FOLD_NONE),
    CAT("Symbol", "S", GRE_FOLD_NONE),
    CAT("Currency_Symbol", "Sc", GRE_FOLD_NONE),
    CAT("Modifier_Symbol", "Sk", GRE_FOLD_NONE),
    CAT("Math_Symbol", "Sm", GRE_FOLD_NONE),
    CAT("Other_Symbol", "So", GRE_FOLD_NONE),
    CAT("Separator", "Z", GRE_FOLD_NONE),
    CAT("Line_Separator", "Zl", GRE_FOLD_NONE),
    CAT("Paragraph_Separator", "Zp", GRE_FOLD_NONE),
    CAT("Space_Separator", "Zs", GRE_FOLD_NONE),
    /* scripts (Unicode 15.0.0) */
    SCRIPT("Adlam"),
    SCRIPT("Ahom"),
    SCRIPT("Anatolian_Hieroglyphs"),
    SCRIPT("Arabic"),
    SCRIPT("Armenian"),
    SCRIPT("Avestan"),
    SCRIPT("Balinese"),
    SCRIPT("Bamum"),
    SCRIPT("Bassa_Vah"),
    SCRIPT("Batak"),
    SCRIPT("Bengali"),
    SCRIPT("Bhaiksuki"),
    SCRIPT("Bopomofo"),
    SCRIPT("Brahmi"),
    SCRIPT("Braille"),
    SCRIPT("Buginese"),
    SCRIPT("Buhid"),
    SCRIPT("Canadian_Aboriginal"),
    SCRIPT("Carian"),
    SCRIPT("Caucasian_Albanian"),
    SCRIPT("Chakma"),
    SCRIPT("Cham"),
    SCRIPT("Cherokee"),
    SCRIPT("Chorasmian"),
    {"Common", "Common", GRE_UC_PCRE, GRE_FOLD_MU_UPPER},
    SCRIPT("Coptic"),
    SCRIPT("Cuneiform"),
    SCRIPT("Cypriot"),
    SCRIPT("Cypro_Minoan"),
    SCRIPT("Cyrillic"),
    SCRIPT("Deseret"),
    SCRIPT("Devanagari"),
    SCRIPT("Dives_Akuru"),
    SCRIPT("Dogra"),
    SCRIPT("Duployan"),
    SCRIPT("Egyptian_Hieroglyphs"),
    SCRIPT("Elbasan"),
    SCRIPT("Elymaic"),
    SCRIPT("Ethiopic"),
    SCRIPT("Georgian"),
    SCRIPT("Glagolitic"),
    SCRIPT("Gothic"),
    SCRIPT("Grantha"),
    {"Greek", "Greek", GRE_UC_PCRE, GRE_FOLD_MICRO},
    SCRIPT("Gujarati"),
    SCRIPT("Gunjala_Gondi"),
    SCRIPT("Gurmukhi"),
    SCRIPT("Han"),
    SCRIPT("Hangul"),
    SCRIPT("Hanifi_Rohingya"),
    SCRIPT("Hanunoo"),
    SCRIPT("Hatran"),
    SCRIPT("Hebrew"),
    SCRIPT("Hiragana"),
    SCRIPT("Imperial_Aramaic"),
    {"Inherited", "Inherited", GRE_UC_PCRE, GRE_FOLD_IOTA},
    SCRIPT("Inscriptional_Pahlavi"),
    SCRIPT("Inscriptional_Parthian"),
    SCRIPT("Javanese"),
    SCRIPT("Kaithi"),
    SCRIPT("Kannada"),
    SCRIPT("Katakana"),
    SCRIPT("Kawi"),
    SCRIPT("Kayah_Li"),
    SCRIPT("Kharoshthi"),
    SCRIPT("Khitan_Small_Script"),
    SCRIPT("Khmer"),
    SCRIPT("Khojki"),
    SCRIPT("Khudawadi"),
    SCRIPT("Lao"),
    SCRIPT("Latin"),
    SCRIPT("Lepcha"),
    SCRIPT("Limbu"),
    SCRIPT("Linear_A"),
    SCRIPT("Linear_B"),
    SCRIPT("Lisu"),
    SCRIPT("Lycian"),
    SCRIPT("Lydian"),
    SCRIPT("Mahajani"),
    SCRIPT("Makasar"),
    SCRIPT("Malayalam"),
    SCRIPT("Mandaic"),
    SCRIPT("Manichaean"),
    SCRIPT("Marchen"),
    SCRIPT("Masaram_Gondi"),
    SCRIPT("Medefaidrin"),
    SCRIPT("Meetei_Mayek"),
    SCRIPT("Mende_Kikakui"),
    SCRIPT("Meroitic_Cursive"),
    SCRIPT("Meroitic_Hieroglyphs"),
    SCRIPT("Miao"),
    SCRIPT("Modi"),
    SCRIPT("Mongolian"),
    SCRIPT("Mro"),
    SCRIPT("Multani"),
    SCRIPT("Myanmar"),
    SCRIPT("Nabataean"),
    SCRIPT("Nag_Mundari"),
    SCRIPT("Nandinagari"),
    SCRIPT("New_Tai_Lue"),
    SCRIPT("Newa"),
    SCRIPT("Nko"),
    SCRIPT("Nushu"),
    SCRIPT("Nyiakeng_Puachue_Hmong"),
    SCRIPT("Ogham"),
    SCRIPT("Ol_Chiki"),
    SCRIPT("Old_Hungarian"),
    SCRIPT("Old_Italic"),
    SCRIPT("Old_North_Arabian"),
    SCRIPT("Old_Permic"),
    SCRIPT("Old_Persian"),
    SCRIPT("Old_Sogdian"),
    SCRIPT("Old_South_Arabian"),
    SCRIPT("Old_Turkic"),
    SCRIPT("Old_Uyghur"),
    SCRIPT("Oriya"),
    SCRIPT("Osage"),
    SCRIPT("Osmanya"),
    SCRIPT("Pahawh_Hmong"),
    SCRIPT("Palmyrene"),
    SCRIPT("Pau_Cin_Hau"),
    SCRIPT("Phags_Pa"),
    SCRIPT("Phoenician"),
    SCRIPT("Psalter_Pahlavi"),
    SCRIPT("Rejang"),
    SCRIPT("Runic"),
    SCRIPT("Samaritan"),
    SCRIPT("Saurashtra"),
    SCRIPT("Sharada"),
    SCRIPT("Shavian"),
    SCRIPT("Siddham"),
    SCRIPT("SignWriting"),
    SCRIPT("Sinhala"),
    SCRIPT("Sogdian"),
    SCRIPT("Sora_Sompeng"),
    SCRIPT("Soyombo"),
    SCRIPT("Sundanese"),
    SCRIPT("Syloti_Nagri"),
    SCRIPT("Syriac"),
    SCRIPT("Tagalog"),
    SCRIPT("Tagbanwa"),
    SCRIPT("Tai_Le"),
    SCRIPT("Tai_Tham"),
    SCRIPT("Tai_Viet"),
    SCRIPT("Takri"),
    SCRIPT("Tamil"),
    SCRIPT("Tangsa"),
    SCRIPT("Tangut"),
    SCRIPT("Telugu"),
    SCRIPT("Thaana"),
    SCRIPT("Thai"),
    SCRIPT("Tibetan"),
    SCRIPT("Tifinagh"),
    SCRIPT("Tirhuta"),
    SCRIPT("Toto"),
    SCRIPT("Ugaritic"),
    SCRIPT("Vai"),
    SCRIPT("Vithkuqi"),
    SCRIPT("Wancho"),
    SCRIPT("Warang_Citi"),
    SCRIPT("Yezidi"),
    SCRIPT("Yi"),
    SCRIPT("Zanabazar_Square"),
};

static const uint32_t extra_ypogegr[] = {0x0345, 0};
static const uint32_t extra_iota[] = {0x0399, 0x03B9, 0x1FBE, 0};
static const uint32_t extra_mu_upper[] = {0x039C, 0x03BC, 0};
static const uint32_t extra_micro[] = {0x00B5, 0x0345, 0};
static const uint32_t extra_none[] = {0};

const uint32_t *cmn_gre_fold_extra_points(enum gre_fold_extra f)
{
    switch (f) {
    case GRE_FOLD_YPOGEGR:
        return extra_ypogegr;
    case GRE_FOLD_IOTA:
        return extra_iota;
    case GRE_FOLD_MU_UPPER:
        return extra_mu_upper;
    case GRE_FOLD_MICRO:
        return extra_micro;
    case GRE_FOLD_NONE:
    case GRE_FOLD_CASED:
        break;
    }
    return extra_none;
}

/* Go's canonicalName makes lookups ignore case and the separators '_', '-' and ' ': compare
 * both sides with those dropped and ASCII letters lowered. */
static bool loose_equal(const char *a, size_t an, const char *b)
{
    size_t i = 0;
    const char *q = b;

    for (;;) {
        while (i < an && (a[i] == '_' || a[i] == '-' || a[i] == ' '))
            i++;
        while (*q == '_' || *q == '-' || *q == ' ')
            q++;
        if (i == an || !*q)
            return i == an && !*q;
        unsigned char x = (unsigned char)a[i], y = (unsigned char)*q;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
        i++;
        q++;
    }
}

int cmn_gre_uname_lookup(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (loose_equal(name, n, names[i].go))
            return (int)i;
    }
    return -1;
}

const struct gre_uname *cmn_gre_uname_get(int id)
{
    if (id < 0 || (size_t)id >= sizeof(names) / sizeof(names[0]))
        return NULL;
    return &names[id];
}

size_t cmn_gre_uname_count(void)
{
    return sizeof(names) / sizeof(names[0]);
}
