/* test_gw_tmpl_exec.c - execution of Go templates: the behaviours of Go's text/template
 * exec_test.go (fields, variables, if/with/range/break/continue, templates, pipelines,
 * and/or, index/len, comparisons, error texts) re-expressed on JSON data, and the value
 * semantics of spec §1.6. */
#include "tmpl_testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* a settings-like document: numbers are float64 as encoding/json makes them */
#define DATA                                                                                       \
    "{\"I\":17,\"S\":\"xyz\",\"U\":{\"V\":\"v\"},\"SI\":[3,4,5],\"SIEmpty\":[],"                   \
    "\"MSI\":{\"one\":1,\"two\":2,\"three\":3},\"MSIone\":{\"one\":1},\"MSIEmpty\":{},"            \
    "\"SB\":[true,false],\"Null\":null,\"T\":true,\"F\":false,\"Zero\":0,\"Half\":0.5,"            \
    "\"Str\":\"\",\"SMSI\":[{\"eleven\":11},{\"eleven\":11,\"twelve\":12}],"                       \
    "\"LN\":[null,1],\"Big\":1000000,\"Port\":8080}"

static const struct tcase basics[] = {
    {"empty", "", DATA, "", NULL},
    {"text", "some text", DATA, "some text", NULL},
    {"nil action", "{{nil}}", DATA, NULL, "nil is not a command"},
    {"dot int", "<{{.}}>", "13", "<13>", NULL},
    {"dot float", "<{{.}}>", "15.1", "<15.1>", NULL},
    {"dot bool", "<{{.}}>", "true", "<true>", NULL},
    {"dot string", "<{{.}}>", "\"hello\"", "<hello>", NULL},
    {"dot slice", "<{{.}}>", "[-1,-2,-3]", "<[-1 -2 -3]>", NULL},
    {"dot map", "<{{.}}>", "{\"two\":22}", "<map[two:22]>", NULL},
    {"no data", "<{{.}}>", NULL, "<<no value>>", NULL},
    {"field on no data", "{{.foo}}", NULL, "<no value>", NULL},
    {"field on parenthesized no data", "{{(.).foo}}", NULL, "<no value>", NULL},
    {".X", "-{{.I}}-", DATA, "-17-", NULL},
    {".U.V", "-{{.U.V}}-", DATA, "-v-", NULL},
    {"map .one", "{{.MSI.one}}", DATA, "1", NULL},
    {"map .WRONG", "{{.MSI.WRONG}}", DATA, "<no value>", NULL},
    {"missing chain", "{{.nope.deeper.still}}", DATA, "<no value>", NULL},
    {"field of null", "{{.Null.x}}", DATA, NULL, "nil pointer evaluating interface {}.x"},
    {"field of string", "{{.S.x}}", DATA, NULL, "can't evaluate field x in type interface {}"},
    {"field of number in var", "{{$x := 1.0}}{{$x.anything}}", DATA, NULL,
     "can't evaluate field anything in type float64"},
    {"field of string var", "{{$y := (\"hello\")}}{{$y.true}}", DATA, NULL,
     "can't evaluate field true in type string"},
    {"field of parenthesized nil", "{{(nil).True}}", DATA, NULL, "nil is not a command"},
    {"null prints", "{{.Null}}", DATA, "<no value>", NULL},
    {"null in list prints nil", "{{.LN}}", DATA, "[<nil> 1]", NULL},
    {"field with args", "{{.I 1}}", DATA, NULL, "I is not a method but has arguments"},
    {"field with piped arg", "{{1 | .I}}", DATA, NULL, "I is not a method but has arguments"},
    {"map key not identifier", "{{index . \"my-key\"}}", "{\"my-key\":7}", "7", NULL},
    /* variables */
    {"$ int", "{{$}}", "123", "123", NULL},
    {"$.I", "{{$.I}}", DATA, "17", NULL},
    {"$.U.V", "{{$.U.V}}", DATA, "v", NULL},
    {"declare in action", "{{$x := $.U.V}}{{$x}}", DATA, "v", NULL},
    {"simple assignment", "{{$x := 2}}{{$x = 3}}{{$x}}", DATA, "3", NULL},
    {"nested assignment", "{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}", DATA, "3", NULL},
    {"nested assignment changes the last declaration",
     "{{$x := 1}}{{if true}}{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{end}}{{$x}}", DATA, "1", NULL},
    {"declaration prints nothing", "a{{$x := 5}}b", DATA, "ab", NULL},
    {"variable invocation", "{{with $x := 3}}{{$x 23}}{{end}}", DATA, NULL,
     "can't give argument to non-function $x"},
    {"piped into variable", "{{$x := 1}}{{3 | $x}}", DATA, NULL,
     "can't give argument to non-function $x"},
    {"assign undeclared", "{{$x = 1}}", DATA, NULL, "undefined variable: $x"},
    {"$ inside range", "{{range .SI}}{{$.I}}{{end}}", DATA, "171717", NULL},
    {"$ in template is its data", "{{define \"d\"}}{{$}}{{end}}{{template \"d\" 5}}", DATA, "5",
     NULL},
    /* non-function with arguments */
    {"unparenthesized non-function", "{{1 2}}", DATA, NULL,
     "can't give argument to non-function 1"},
    {"parenthesized non-function", "{{(1) 2}}", DATA, NULL, "can't give argument to non-function"},
    {"parenthesized non-function no args", "{{(1)}}", DATA, "1", NULL},
    {"bool with args", "{{true 1}}", DATA, NULL, "can't give argument to non-function true"},
    /* parentheses */
    {"parens in pipeline", "{{printf `%d %d %d` (1) (2 | add 3) (add 4 (add 5 6))}}", DATA,
     "1 5 15", NULL},
    {"parens: $ in paren", "{{($).I}}", DATA, "17", NULL},
    {"parens: field of paren pipe", "{{($ | print).x}}", DATA, NULL,
     "can't evaluate field x in type string"},
    {"parens: spaces and args", "{{(dict \"up\" \"down\" \"left\" \"right\").left}}", DATA, "right",
     NULL},
    {"function then field", "{{(list 1).x}}", DATA, NULL,
     "can't evaluate field x in type []interface {}"},
    /* comments and trimming */
    {"comment", "a{{/* c */}}b", DATA, "ab", NULL},
    {"trim left", "x \r\n\t{{- 3}}", DATA, "x3", NULL},
    {"trim right", "{{3 -}}\n\n\ty", DATA, "3y", NULL},
    {"trim both", "x \r\n\t{{- 3 -}}\n\n\ty", DATA, "x3y", NULL},
    {"trim with extra spaces", "x\n{{-  3   -}}\ny", DATA, "x3y", NULL},
    {"comment trim", "x \r\n\t{{- /* */ -}}\n\n\ty", DATA, "xy", NULL},
    {"minus three is a number", "a {{-3}} b", DATA, "a -3 b", NULL},
    {"newlines inside an action", "{{ $x \n := \n 1 \n }}{{$x}}", DATA, "1", NULL},
    {"newline in pipeline", "{{\n\"x\"\n|\nprintf\n}}", DATA, "x", NULL},
};

static const struct tcase control[] = {
    {"if true", "{{if true}}TRUE{{end}}", DATA, "TRUE", NULL},
    {"if false", "{{if false}}TRUE{{else}}FALSE{{end}}", DATA, "FALSE", NULL},
    {"if nil", "{{if nil}}TRUE{{end}}", DATA, NULL, "nil is not a command"},
    {"if 1", "{{if 1}}NON-ZERO{{else}}ZERO{{end}}", DATA, "NON-ZERO", NULL},
    {"if 0", "{{if 0}}NON-ZERO{{else}}ZERO{{end}}", DATA, "ZERO", NULL},
    {"if 1.5", "{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}", DATA, "NON-ZERO", NULL},
    {"if 0.0", "{{if .Zero}}NON-ZERO{{else}}ZERO{{end}}", DATA, "ZERO", NULL},
    {"if emptystring", "{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}", DATA, "EMPTY", NULL},
    {"if string", "{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}", DATA, "NON-EMPTY", NULL},
    {"if emptyslice", "{{if .SIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", DATA, "EMPTY", NULL},
    {"if slice", "{{if .SI}}NON-EMPTY{{else}}EMPTY{{end}}", DATA, "NON-EMPTY", NULL},
    {"if emptymap", "{{if .MSIEmpty}}NON-EMPTY{{else}}EMPTY{{end}}", DATA, "EMPTY", NULL},
    {"if map", "{{if .MSI}}NON-EMPTY{{else}}EMPTY{{end}}", DATA, "NON-EMPTY", NULL},
    {"if map unset", "{{if .MSI.none}}NON-ZERO{{else}}ZERO{{end}}", DATA, "ZERO", NULL},
    {"if null", "{{if .Null}}X{{else}}NULL{{end}}", DATA, "NULL", NULL},
    {"if not unset", "{{if not .MSI.none}}ZERO{{else}}NON-ZERO{{end}}", DATA, "ZERO", NULL},
    {"if $x with $y", "{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}", DATA,
     "true,17", NULL},
    {"if $x with $x", "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}", DATA,
     "17,true", NULL},
    {"if else if", "{{if false}}FALSE{{else if true}}TRUE{{end}}", DATA, "TRUE", NULL},
    {"if else chain", "{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", DATA, "3",
     NULL},
    {"with true", "{{with true}}{{.}}{{end}}", DATA, "true", NULL},
    {"with false", "{{with false}}{{.}}{{else}}FALSE{{end}}", DATA, "FALSE", NULL},
    {"with 0", "{{with 0}}{{.}}{{else}}ZERO{{end}}", DATA, "ZERO", NULL},
    {"with 1.5", "{{with 1.5}}{{.}}{{else}}ZERO{{end}}", DATA, "1.5", NULL},
    {"with slice", "{{with .SI}}{{.}}{{else}}EMPTY{{end}}", DATA, "[3 4 5]", NULL},
    {"with map", "{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}", DATA, "map[one:1]", NULL},
    {"with $x int", "{{with $x := .I}}{{$x}}{{end}}", DATA, "17", NULL},
    {"with variable and action", "{{with $x := $}}{{$y := $.U.V}}{{$y}}{{end}}", DATA, "v", NULL},
    {"with else with", "{{with 0}}{{.}}{{else with true}}{{.}}{{end}}", DATA, "true", NULL},
    {"with else with chain",
     "{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}", DATA,
     "notempty", NULL},
    {"variable out of scope after with", "{{with $x := 4}}{{end}}{{$x}}", DATA, NULL,
     "undefined variable \"$x\""},
    {"range []int", "{{range .SI}}-{{.}}-{{end}}", DATA, "-3--4--5-", NULL},
    {"range empty no else", "{{range .SIEmpty}}-{{.}}-{{end}}", DATA, "", NULL},
    {"range []int else", "{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}", DATA, "-3--4--5-", NULL},
    {"range empty else", "{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", DATA, "EMPTY", NULL},
    {"range missing else", "{{range .nope}}-{{.}}-{{else}}EMPTY{{end}}", DATA, "EMPTY", NULL},
    {"range null else", "{{range .Null}}-{{.}}-{{else}}EMPTY{{end}}", DATA, "EMPTY", NULL},
    {"range break", "{{range .SI}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}", DATA, "-3-",
     NULL},
    {"range continue", "{{range .SI}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}", DATA,
     "-3--4--5-", NULL},
    {"break in if", "{{range .SI}}{{if eq . 4.0}}{{break}}{{end}}{{.}}{{end}}", DATA, "3", NULL},
    {"continue in if", "{{range .SI}}{{if eq . 4.0}}{{continue}}{{end}}{{.}}{{end}}", DATA, "35",
     NULL},
    {"break inner range only", "{{range .SI}}{{range $.SB}}{{break}}{{end}}{{.}}{{end}}", DATA,
     "345", NULL},
    {"range []bool", "{{range .SB}}-{{.}}-{{end}}", DATA, "-true--false-", NULL},
    {"range map sorted", "{{range .MSI}}-{{.}}-{{end}}", DATA, "-1--3--2-", NULL},
    {"range empty map else", "{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", DATA, "EMPTY", NULL},
    {"range $x SI", "{{range $x := .SI}}<{{$x}}>{{end}}", DATA, "<3><4><5>", NULL},
    {"range $x $y SI", "{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}", DATA, "<0=3><1=4><2=5>",
     NULL},
    {"range $x MSIone", "{{range $x := .MSIone}}<{{$x}}>{{end}}", DATA, "<1>", NULL},
    {"range $x $y MSIone", "{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}", DATA, "<one=1>",
     NULL},
    {"declare in range", "{{range $x := .SI}}<{{$foo:=$x}}{{$x}}>{{end}}", DATA, "<3><4><5>", NULL},
    {"range comma idiom", "{{range $i, $x := .SI}}{{if $i}},{{end}}{{$x}}{{end}}", DATA, "3,4,5",
     NULL},
    {"range gt idiom", "{{range $i, $x := .SI}}{{if gt $i 0}},{{end}}{{$x}}{{end}}", DATA, "3,4,5",
     NULL},
    {"range 5", "{{range $v := 5}}{{printf \"%T%d\" $v $v}}{{end}}", DATA, "int0int1int2int3int4",
     NULL},
    {"range 0 else", "{{range 0}}x{{else}}empty{{end}}", DATA, "empty", NULL},
    {"range int two vars", "{{range $i, $c := 3}}{{end}}", DATA, NULL,
     "can't use 3 to iterate over more than one variable"},
    {"range over float", "{{range .Half}}{{end}}", DATA, NULL, "range can't iterate over 0.5"},
    {"range over string", "{{range .S}}{{end}}", DATA, NULL, "range can't iterate over xyz"},
    {"range assign", "{{$i := 0}}{{$x := 0}}{{range $i = .SI}}{{end}}{{$i}}", DATA, "5", NULL},
    {"range assign two", "{{$k := 0}}{{$v := 0}}{{range $k, $v = .SI}}{{$k}}={{$v}} {{end}}", DATA,
     "0=3 1=4 2=5 ", NULL},
    {"range body variables reset", "{{range .SI}}{{$y := .}}{{end}}{{$y}}", DATA, NULL,
     "undefined variable \"$y\""},
    {"range dot of null element", "{{range .LN}}[{{.}}]{{end}}", DATA, "[<no value>][1]", NULL},
    {"range field of null element", "{{range .LN}}{{.x}}{{end}}", DATA, NULL,
     "nil pointer evaluating interface {}.x"},
    {"range map mutated in body",
     "{{range $k, $v := .MSIone}}{{$_ := set $.MSIone \"zz\" 1}}{{$k}}{{end}}", DATA, "one", NULL},
    {"or as if true", "{{or .SI \"slice is empty\"}}", DATA, "[3 4 5]", NULL},
    {"or as if false", "{{or .SIEmpty \"slice is empty\"}}", DATA, "slice is empty", NULL},
};

static const struct tcase templates[] = {
    {"define and call", "{{define \"x\"}}X{{.}}{{end}}{{template \"x\" 5}}", DATA, "X5", NULL},
    {"call without data", "{{define \"x\"}}[{{.}}]{{end}}{{template \"x\"}}", DATA, "[<no value>]",
     NULL},
    {"call with dot", "{{define \"x\"}}{{.I}}{{end}}{{template \"x\" .}}", DATA, "17", NULL},
    {"block", "a({{block \"inner\" .S}}bar({{.}})baz{{end}})b", DATA, "a(bar(xyz)baz)b", NULL},
    {"template variables are not inherited",
     "{{define \"x\"}}{{$y}}{{end}}{{$y := 1}}{{template \"x\"}}", DATA, NULL,
     "undefined variable \"$y\""},
    {"pipeline variables persist", "{{define \"x\"}}{{.}}{{end}}{{template \"x\" $v := 7}}{{$v}}",
     DATA, "77", NULL},
    {"not defined", "{{template \"nope.tmpl\" .}}", DATA, NULL,
     "template \"nope.tmpl\" not defined"},
    {"recursion capped", "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\"}}", DATA,
     NULL, "exceeded maximum template depth (100)"},
    {"tree walk",
     "{{define \"tree\"}}[{{.v}}{{with .l}}{{template \"tree\" .}}{{end}}{{with "
     ".r}}{{template \"tree\" .}}{{end}}]{{end}}{{template \"tree\" .}}",
     "{\"v\":1,\"l\":{\"v\":2,\"l\":{\"v\":3}},\"r\":{\"v\":4}}", "[1[2[3]][4]]", NULL},
    {"error in nested template names it",
     "line 1\nline 2\nline 3\n{{template \"one\" .}}\n{{define \"one\"}}{{template \"two\" "
     ".}}{{end}}\n{{define \"two\"}}{{template \"three\" .}}{{end}}\n{{define \"three\"}}{{index "
     "\"hi\" $}}{{end}}",
     "5", NULL,
     "template: t:7:20: executing \"three\" at <index \"hi\" $>: error calling "
     "index: cannot index slice/array with type float64"},
};

static const struct tcase booleans[] = {
    {"not", "{{not true}} {{not false}}", NULL, "false true", NULL},
    {"and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", NULL, "false 0 0 1", NULL},
    {"or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", NULL, "0 1 true 1", NULL},
    {"or short-circuit", "{{or 0 1 (fail \"die\")}}", NULL, "1", NULL},
    {"and short-circuit", "{{and 1 0 (fail \"die\")}}", NULL, "0", NULL},
    {"or short-circuit2", "{{or 0 0 (fail \"die\")}}", NULL, NULL, "error calling fail: die"},
    {"and short-circuit2", "{{and 1 1 (fail \"die\")}}", NULL, NULL, "error calling fail: die"},
    {"and pipe-true", "{{1 | and 1}}", NULL, "1", NULL},
    {"and pipe-false", "{{0 | and 1}}", NULL, "0", NULL},
    {"or pipe-true", "{{1 | or 0}}", NULL, "1", NULL},
    {"or pipe-false", "{{0 | or 0}}", NULL, "0", NULL},
    {"and undef", "{{and 1 .Unknown}}", NULL, "<no value>", NULL},
    {"or undef", "{{or 0 .Unknown}}", NULL, "<no value>", NULL},
    {"boolean if", "{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}", NULL, "TRUE", NULL},
    {"boolean if not", "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}", NULL, "FALSE", NULL},
    {"boolean if pipe", "{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}", NULL, "FALSE", NULL},
    {"and no args", "{{and}}", NULL, NULL, "wrong number of args for and: want at least 1 got 0"},
};

static const struct tcase indexing[] = {
    {"slice[0]", "{{index .SI 0}}", DATA, "3", NULL},
    {"slice[1]", "{{index .SI 1}}", DATA, "4", NULL},
    {"slice[HUGE]", "{{index .SI 10}}", DATA, NULL, "error calling index: index out of range: 10"},
    {"slice[len]", "{{index .SI 3}}", DATA, NULL,
     "error calling index: reflect: slice index out of range"},
    {"slice[WRONG]", "{{index .SI `hello`}}", DATA, NULL,
     "cannot index slice/array with type string"},
    {"slice[float]", "{{index .SI .I}}", DATA, NULL, "cannot index slice/array with type float64"},
    {"slice[nil]", "{{index .SI nil}}", DATA, NULL, "cannot index slice/array with nil"},
    {"map[one]", "{{index .MSI `one`}}", DATA, "1", NULL},
    {"map[NO]", "{{index .MSI `XXX`}}", DATA, "<no value>", NULL},
    {"map[nil]", "{{index .MSI nil}}", DATA, NULL, "value is nil; should be of type string"},
    {"map[WRONG]", "{{index .MSI 10}}", DATA, NULL, "value has type int; should be string"},
    {"double index", "{{index .SMSI 1 `eleven`}}", DATA, "11", NULL},
    {"nil[1]", "{{index nil 1}}", DATA, NULL, "index of untyped nil"},
    {"missing[1]", "{{index .nope 1}}", DATA, NULL, "index of untyped nil"},
    {"string[1] is a byte", "{{index .S 1}} {{printf \"%T\" (index .S 1)}}", DATA, "121 uint8",
     NULL},
    {"index no indexes", "{{index .SI}}", DATA, "[3 4 5]", NULL},
    {"index of int", "{{index 3 1}}", DATA, NULL, "can't index item of type int"},
    {"eq byte and rune", "{{eq (index `x` 0) 'x'}} {{eq (index `x` 0) 'y'}}", DATA, "true false",
     NULL},
    {"len slice", "{{len .SI}}", DATA, "3", NULL},
    {"len map", "{{len .MSI }}", DATA, "3", NULL},
    {"len string bytes", "{{len \"h\u00e9llo\"}}", DATA, "6", NULL},
    {"len of int", "{{len 3}}", DATA, NULL, "error calling len: len of type int"},
    {"len of missing", "{{len .nope}}", DATA, NULL, "error calling len"},
    {"len of null", "{{len .Null}}", DATA, NULL, "error calling len: len of nil pointer"},
};

static const struct tcase comparisons[] = {
    {"eq true true", "{{eq true true}}", NULL, "true", NULL},
    {"eq true false", "{{eq true false}}", NULL, "false", NULL},
    {"eq 1.5 1.5", "{{eq 1.5 1.5}}", NULL, "true", NULL},
    {"eq 1 1", "{{eq 1 1}}", NULL, "true", NULL},
    {"eq xy xy", "{{eq `xy` `xy`}}", NULL, "true", NULL},
    {"eq xy xyz", "{{eq `xy` `xyz`}}", NULL, "false", NULL},
    {"eq many true", "{{eq 3 4 5 6 3}}", NULL, "true", NULL},
    {"eq many false", "{{eq 3 4 5 6 7}}", NULL, "false", NULL},
    {"ne 1 2", "{{ne 1 2}} {{ne 1 1}}", NULL, "true false", NULL},
    {"lt", "{{lt 1 2}} {{lt 1 1}} {{lt 1.5 2.5}} {{lt `xy` `xyz`}}", NULL, "true false true true",
     NULL},
    {"le", "{{le 1 1}} {{le 2 1}} {{le `xyz` `xy`}}", NULL, "true false false", NULL},
    {"gt", "{{gt 2 1}} {{gt 1 1}} {{gt 1.5 2.5}}", NULL, "true false false", NULL},
    {"ge", "{{ge 1 1}} {{ge 1 2}} {{ge `xyz` `xy`}}", NULL, "true false true", NULL},
    {"eq int float errors", "{{eq 2 2.0}}", NULL, NULL,
     "error calling eq: incompatible types for comparison: int and float64"},
    {"eq string int errors", "{{eq `xy` 1}}", NULL, NULL, "incompatible types for comparison"},
    {"lt bool errors", "{{lt true true}}", NULL, NULL, "invalid type for comparison"},
    {"eq settings port with int", "{{if eq .Port 8080}}y{{end}}", DATA, NULL,
     "error calling eq: incompatible types for comparison: float64 and int"},
    {"eq settings port with float", "{{if eq .Port 8080.0}}y{{end}}", DATA, "y", NULL},
    {"gt settings number with int", "{{gt .Port 0}}", DATA, NULL,
     "error calling gt: incompatible types for comparison"},
    {"eq missing", "{{eq .nope 1}} {{eq 1 .nope}} {{eq .nope .nope2}}", DATA, "false false true",
     NULL},
    {"eq null nil", "{{eq .Null nil}}", DATA, "true", NULL},
    {"eq map map", "{{eq .MSI .MSI}}", DATA, NULL, "non-comparable type"},
    {"eq list missing", "{{eq .SI .nope}}", DATA, "false", NULL},
    {"lt missing", "{{lt .nope 1}}", DATA, NULL, "invalid type for comparison"},
    {"eq one arg", "{{eq 1}}", NULL, NULL, "error calling eq: missing argument for comparison"},
    {"ne arity", "{{ne 1 2 3}}", NULL, NULL, "wrong number of args for ne: want 2 got 3"},
    {"int64 equals int", "{{eq (add 1 2) 3}}", NULL, "true", NULL},
    {"rune constants", "{{eq 46 '.'}} {{eq 101 'e'}}", NULL, "true true", NULL},
};

static const struct tcase calls[] = {
    {"undefined function", "{{nofunc}}", NULL, NULL, "function \"nofunc\" not defined"},
    {"too few args", "{{trimPrefix \"a\"}}", NULL, NULL,
     "wrong number of args for trimPrefix: want 2 got 1"},
    {"too many args", "{{upper \"a\" \"b\"}}", NULL, NULL,
     "wrong number of args for upper: want 1 got 2"},
    {"string param gets int", "{{upper 3}}", NULL, NULL, "expected string; found 3"},
    {"string param gets float field", "{{upper .I}}", DATA, NULL,
     "wrong type for value; expected string; got float64"},
    {"string param gets missing", "{{upper .nope}}", DATA, NULL, "invalid value; expected string"},
    {"string param gets null", "{{upper .Null}}", DATA, NULL,
     "wrong type for value; expected string; got interface {}"},
    {"string param gets nil", "{{upper nil}}", DATA, NULL, "cannot assign nil to string"},
    {"int param gets float literal", "{{until 3.0}}", NULL, "[0 1 2]", NULL},
    {"int param gets fraction", "{{until 2.5}}", NULL, NULL, "expected integer; found 2.5"},
    {"int param gets int64", "{{until (add 1 2)}}", NULL, NULL,
     "wrong type for value; expected int; got int64"},
    {"bool param gets int", "{{ternary 1 2 3}}", NULL, NULL, "expected bool; found 3"},
    {"piped arg checked", "{{3|upper}}", NULL, NULL,
     "wrong type for value; expected string; got int"},
    {"printf piped bool", "{{true|printf}}", NULL, NULL, "expected string; got bool"},
    {"printf piped string", "{{\"aaa\"|printf}}", NULL, "aaa", NULL},
    {"piped arg is last", "{{\"aaa\" | trimPrefix \"a\"}}", NULL, "aa", NULL},
    {"call nil", "{{call nil}}", NULL, NULL, "error calling call: call of nil"},
    {"call non-function", "{{call .S}}", DATA, NULL,
     "error calling call: non-function .S of type string"},
    {"empty call", "{{call}}", NULL, NULL, "wrong number of args for call: want at least 1 got 0"},
    {"unsupported function", "{{toDate \"2006\" \"2024\"}}", NULL, NULL,
     "error calling toDate: toDate is not supported by this gateway"},
    {"number overflow", "{{print 18446744073709551615}}", NULL, NULL,
     "18446744073709551615 overflows int"},
    {"numbers as Go reads them",
     "{{print 1234}} {{print 12_34}} {{print 0b101}} {{print 0377}} {{print 0o377}} {{print "
     "0x1_23}} {{print 0X123ABC}} {{print 0_0_1_2_3.4}} {{print +0x1.ep+2}} {{print "
     "+0x_1.e_0p+0_2}} {{print 1_2_3_4 7.5_00_00_00}}",
     NULL, "1234 1234 5 255 255 291 1194684 123.4 7.5 7.5 1234 7.5", NULL},
    {"hex is int", "{{printf `%T` 0xef}} {{printf `%T` 0XEE}} {{printf `%T` 1e3}}", NULL,
     "int int float64", NULL},
};

static void run_table(const struct tcase *t, size_t n)
{
    assert_int_equal(tt_check_table(t, n), 0);
}

static void test_basics(void **state)
{
    (void)state;
    run_table(basics, N(basics));
}

static void test_control(void **state)
{
    (void)state;
    run_table(control, N(control));
}

static void test_templates(void **state)
{
    (void)state;
    run_table(templates, N(templates));
}

static void test_booleans(void **state)
{
    (void)state;
    run_table(booleans, N(booleans));
}

static void test_indexing(void **state)
{
    (void)state;
    run_table(indexing, N(indexing));
}

static void test_comparisons(void **state)
{
    (void)state;
    run_table(comparisons, N(comparisons));
}

static void test_calls(void **state)
{
    (void)state;
    run_table(calls, N(calls));
}

/* The exact error text, location and context of an execution error (Go's ExecError). */
static void test_error_shape(void **state)
{
    char err[1024], *out;
    int rc;

    (void)state;
    rc = tt_run("{\n  \"a\": {{ template \"nope.tmpl\" . }}\n}", "{}", &out, err, sizeof(err));
    assert_int_equal(rc, GW_TMPL_EXEC);
    assert_string_equal(err, "template: t:2:19: executing \"t\" at <{{template \"nope.tmpl\" "
                             ".}}>: template \"nope.tmpl\" not defined");
    /* the output up to the failing action is kept */
    assert_string_equal(out, "{\n  \"a\": ");
    free(out);
    rc = tt_run("x {{ .a.b }}", "{\"a\":3}", &out, err, sizeof(err));
    assert_int_equal(rc, GW_TMPL_EXEC);
    /* Go places a field chain at its second field: column 7, not 5 */
    assert_string_equal(err, "template: t:1:7: executing \"t\" at <.a.b>: can't evaluate field b "
                             "in type interface {}");
    free(out);
}

/* Caps: a hostile template stops with a clear error, not a hang or exhaustion. */
static void test_caps(void **state)
{
    struct gw_tmpl_limits lim = {0};
    char err[1024], *out;
    int rc;

    (void)state;
    lim.max_output = 1000;
    rc = tt_run_ex("{{range until 2000}}xx{{end}}", NULL, &lim, NULL, &out, err, sizeof(err));
    assert_int_equal(rc, GW_TMPL_LIMIT);
    assert_non_null(strstr(err, "template output exceeds 1000 bytes"));
    assert_true(strlen(out) <= 1000);
    free(out);

    memset(&lim, 0, sizeof(lim));
    lim.max_steps = 10000;
    rc = tt_run_ex("{{range until 100}}{{range until 100}}{{range until 100}}{{end}}{{end}}{{end}}",
                   NULL, &lim, NULL, &out, err, sizeof(err));
    assert_int_equal(rc, GW_TMPL_LIMIT);
    assert_non_null(strstr(err, "exceeds 10000 steps"));
    free(out);

    memset(&lim, 0, sizeof(lim));
    lim.max_memory = 1 << 20;
    rc = tt_run_ex("{{until 1000000}}", NULL, &lim, NULL, &out, err, sizeof(err));
    assert_int_equal(rc, GW_TMPL_LIMIT);
    assert_non_null(strstr(err, "memory cap"));
    free(out);

    rc = tt_run("{{repeat 1000000000 \"abc\"}}", NULL, &out, err, sizeof(err));
    assert_int_equal(rc, GW_TMPL_LIMIT);
    free(out);

    memset(&lim, 0, sizeof(lim));
    lim.max_depth = 5;
    rc = tt_run_ex("{{define \"r\"}}x{{template \"r\"}}{{end}}{{template \"r\"}}", NULL, &lim, NULL,
                   &out, err, sizeof(err));
    assert_int_equal(rc, GW_TMPL_LIMIT);
    assert_non_null(strstr(err, "exceeded maximum template depth (5)"));
    assert_string_equal(out, "xxxxx");
    free(out);

    /* a map made to contain itself prints and marshals without hanging */
    rc = tt_run("{{$d := dict}}{{$_ := set $d \"me\" $d}}{{marshal $d}}|{{$d}}", NULL, &out, err,
                sizeof(err));
    assert_int_equal(rc, GW_TMPL_LIMIT);
    assert_non_null(strstr(err, "nested deeper than"));
    assert_string_equal(out, "|");
    free(out);
}

/* One set, several templates: later definitions replace earlier ones, an empty body does not
 * (Go's multi_test.go behaviours). */
static int parse_str(struct gw_tmpl_set *s, const char *name, const char *text, struct cmn_err *err)
{
    return gw_tmpl_parse(s, name, text, strlen(text), err);
}

static void test_redefinition(void **state)
{
    struct gw_tmpl_set *s = gw_tmpl_set_new(NULL);
    struct cmn_err err;
    struct cmn_buf b;
    const char *a = "{{define \"x\"}}A{{end}}{{template \"x\"}}";

    (void)state;
    cmn_buf_init(&b, 1024);
    assert_int_equal(parse_str(s, "a", a, &err), GW_TMPL_OK);
    assert_int_equal(parse_str(s, "b", "{{define \"x\"}}B{{end}}", &err), GW_TMPL_OK);
    assert_int_equal(gw_tmpl_execute(s, "a", NULL, NULL, &b, &err), GW_TMPL_OK);
    assert_string_equal(b.data, "B");
    /* an empty redefinition keeps the old body */
    assert_int_equal(parse_str(s, "c", "{{define \"x\"}}  {{end}}", &err), GW_TMPL_OK);
    cmn_buf_reset(&b);
    assert_int_equal(gw_tmpl_execute(s, "a", NULL, NULL, &b, &err), GW_TMPL_OK);
    assert_string_equal(b.data, "B");
    /* a file of only defines defines its own (empty) name */
    assert_true(gw_tmpl_defined(s, "c"));
    assert_true(gw_tmpl_defined(s, "x"));
    assert_false(gw_tmpl_defined(s, "nope"));
    /* a source replacing the base name */
    assert_int_equal(parse_str(s, "a", "new", &err), GW_TMPL_OK);
    cmn_buf_reset(&b);
    assert_int_equal(gw_tmpl_execute(s, "a", NULL, NULL, &b, &err), GW_TMPL_OK);
    assert_string_equal(b.data, "new");
    /* a failed parse leaves the set as it was */
    assert_int_equal(parse_str(s, "a", "{{define \"x\"}}Z{{end}}{{", &err), GW_TMPL_PARSE);
    cmn_buf_reset(&b);
    assert_int_equal(gw_tmpl_execute(s, "x", NULL, NULL, &b, &err), GW_TMPL_OK);
    assert_string_equal(b.data, "B");
    /* two definitions in one source */
    assert_int_equal(parse_str(s, "d", "{{define `a`}}a{{end}}{{define `a`}}b{{end}}", &err),
                     GW_TMPL_PARSE);
    assert_non_null(strstr(err.msg, "multiple definition of template"));
    /* executing a name that does not exist */
    assert_int_equal(gw_tmpl_execute(s, "zz", NULL, NULL, &b, &err), GW_TMPL_EXEC);
    assert_non_null(strstr(err.msg, "no template zz"));
    cmn_buf_free(&b);
    gw_tmpl_set_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basics),    cmocka_unit_test(test_control),
        cmocka_unit_test(test_templates), cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_indexing),  cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_calls),     cmocka_unit_test(test_error_shape),
        cmocka_unit_test(test_caps),      cmocka_unit_test(test_redefinition),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
