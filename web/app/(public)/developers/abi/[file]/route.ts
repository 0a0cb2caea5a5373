import { CONTRACT_ABIS, CONTRACT_NAMES, abiFileName, isContractName } from "@/lib/abis";

// The ABIs are part of the build (they change only with the contracts): served as static files.
export const dynamic = "force-static";
export const dynamicParams = false;

export function generateStaticParams() {
  return CONTRACT_NAMES.map((name) => ({ file: abiFileName(name) }));
}

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const name = file.replace(/\.json$/, "");
  if (!isContractName(name)) {
    return Response.json({ error: `No ABI named ${file}; known: ${CONTRACT_NAMES.map(abiFileName).join(", ")}` }, { status: 404 });
  }
  return new Response(`${JSON.stringify(CONTRACT_ABIS[name], null, 2)}\n`, {
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
