// Stands in for `janus` in the Makefile test (make JANUS='node test/helpers/print-argv.mjs'): prints its arguments as one JSON line.
console.log(JSON.stringify(process.argv.slice(2)));
