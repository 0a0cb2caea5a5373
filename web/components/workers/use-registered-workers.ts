"use client";
import { useCallback, useEffect, useState } from "react";
import type { PublicClient } from "viem";
import { usePublicClient } from "wagmi";
import { usePublicConfig } from "@/components/wallet/public-config";
import { registeredWorkers, type RegisteredWorker } from "@/lib/registered-workers";

export type WorkersState = { status: "loading" } | { status: "failed"; message: string } | { status: "ready"; workers: RegisteredWorker[]; nowSeconds: bigint };

/** The registered workers with their validation, read from the chain (reload() after a change). */
export function useRegisteredWorkers() {
  const config = usePublicConfig();
  const client = usePublicClient({ chainId: config.chainId }) as PublicClient | undefined;
  const [state, setState] = useState<WorkersState>({ status: "loading" });

  const reload = useCallback(async () => {
    if (!client) return;
    try {
      const [workers, block] = await Promise.all([registeredWorkers(client, config.contracts.WorkerRegistry), client.getBlock()]);
      setState({ status: "ready", workers, nowSeconds: block.timestamp });
    } catch (error) {
      setState({ status: "failed", message: `Could not read the workers from the chain: ${(error as Error).message}` });
    }
  }, [client, config.contracts.WorkerRegistry]);

  useEffect(() => {
    void reload();
  }, [reload]);
  return { state, reload, client };
}
