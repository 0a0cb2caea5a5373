/** The record `npm start` leaves for `npm run agentry`: used only while the process that wrote it lives. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { forgetRunningStack, recordRunningStack, runningStack } from "../../scripts/lib/running-stack.ts";

const endpoints = { rpcUrl: "http://127.0.0.1:8545", brokerUrl: "http://127.0.0.1:3000", subgraphUrl: "http://127.0.0.1:8000/subgraphs/name/agentry", keyFile: "/tmp/key" };
const tempFile = async () => path.join(await mkdtemp(path.join(os.tmpdir(), "agentry-running-")), "running-stack.json");

describe("running stack record", () => {
  it("is read back while its process lives, and removed by that process", async () => {
    const file = await tempFile();
    assert.equal(runningStack(file), undefined, "no file, no stack");
    recordRunningStack(endpoints, file);
    assert.deepEqual(runningStack(file), { pid: process.pid, ...endpoints });
    forgetRunningStack(file);
    assert.equal(existsSync(file), false);
  });

  it("is ignored when the process that wrote it is gone", async () => {
    const file = await tempFile();
    const exited = spawnSync(process.execPath, ["-e", ""]).pid!;
    await writeFile(file, JSON.stringify({ pid: exited, ...endpoints }));
    assert.equal(runningStack(file), undefined);
  });

  it("is ignored when it is not a record (half-written, foreign, or a URL that is not one)", async () => {
    const file = await tempFile();
    for (const text of ['{"pid": 1, "rpcUrl": "http://127.0.0.1:85', "[]", JSON.stringify({ pid: process.pid, ...endpoints, brokerUrl: "not a url" })]) {
      await writeFile(file, text);
      assert.equal(runningStack(file), undefined, text);
    }
  });

  it("is left alone by a process that did not write it (a later npm start replaced it)", async () => {
    const file = await tempFile();
    const other = JSON.stringify({ pid: process.ppid, ...endpoints });
    await writeFile(file, other);
    forgetRunningStack(file);
    assert.equal(await readFile(file, "utf8"), other);
  });
});
