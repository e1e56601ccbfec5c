// stream: contracts (filled by its helper)
export {};
