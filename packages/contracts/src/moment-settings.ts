// moment-settings: contracts (filled by its helper)
export {};
