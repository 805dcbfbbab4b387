// llhttp_frames.js - how Node's HTTP parser (llhttp, strict mode as Node's http server uses it)
// frames a byte stream, in h1_frames' output format, for the differential check. The stream is
// fed one byte at a time so that each request's end offset is known exactly.
//
// Usage: node llhttp_frames.js FILE... (each file's lines follow a "== FILE" line)
'use strict';
const fs = require('fs');
const binding = process.binding('http_parser');
const { HTTPParser, methods } = binding;

function frame(input) {
    const p = new HTTPParser();
    p.initialize(HTTPParser.REQUEST, {}, 1 << 20, HTTPParser.kLenientNone);
    let cur = null, done = false, completed = false;
    const out = [];
    p[HTTPParser.kOnMessageBegin] = () => { cur = { body: 0 }; };
    p[HTTPParser.kOnHeaders] = () => {};
    p[HTTPParser.kOnHeadersComplete] = (major, minor, headers, method, url, code, msg, upgrade, keep) => {
        cur.method = methods[method];
        cur.target = url;
        cur.keep = keep ? 1 : 0;
        return 0;
    };
    p[HTTPParser.kOnBody] = (b) => { cur.body += b.length; };
    p[HTTPParser.kOnMessageComplete] = () => { completed = true; };
    p[HTTPParser.kOnExecute] = () => {};
    for (let i = 0; i < input.length && !done; i++) {
        const r = p.execute(input.subarray(i, i + 1));
        if (r instanceof Error) {
            out.push('END error');
            done = true;
            break;
        }
        if (completed) {
            completed = false;
            out.push(`MSG end=${i + 1} method=${cur.method} target=${cur.target} body=${cur.body} keep=${cur.keep}`);
            if (!cur.keep) {
                out.push('END closed');
                done = true;
            }
            cur = null;
        }
    }
    if (!done)
        out.push(cur ? 'END incomplete' : 'END ok');
    return out;
}

const lines = [];
for (const file of process.argv.slice(2)) {
    lines.push(`== ${file}`, ...frame(fs.readFileSync(file)));
}
process.stdout.write(lines.join('\n') + '\n');
