#!/usr/bin/env node
// Lists every folder of a tree and reads every file as text, with the same system calls as
// InfraPrime's walk and reader, and does nothing else. bench/audit.mjs times it beside the
// audits, as an estimate of the least time a Node.js tool that reads these files one by one needs.
// Usage: node bench/read-floor.mjs FOLDER
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';

let files = 0;
let characters = 0;

function readText(path) {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(fstatSync(fd).size);
    readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function walk(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.isFile()) {
      characters += readText(path).length;
      files++;
    }
  }
}

walk(process.argv[2] ?? '.');
console.log(`${files} files, ${characters} characters`);
