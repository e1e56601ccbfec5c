// sla: contracts (filled by its helper)
export {};
