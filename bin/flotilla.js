#!/usr/bin/env node
// The package's `bin`: runs the CLI on the Node that npm installed (TypeScript is stripped natively).
import '../src/cmd/flotilla.ts';
