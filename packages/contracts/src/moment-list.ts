// moment-list: contracts (filled by its helper)
export {};
