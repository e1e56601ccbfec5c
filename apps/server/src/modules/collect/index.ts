export { createIngestQueue, type IngestQueue } from './ingest-queue.ts';
export { commitInProcess, type CommitBatches, type WorkspaceBatch } from './commit-batches.ts';
export { startCommitThread } from './commit-thread.ts';
export { parseSegmentMessage, MESSAGE_TYPES, type MessageProblem, type BatchDefaults } from './segment-message.ts';
export { decodeBody, tooLargeError } from './decode-body.ts';
export { generateDemoMessages, DEMO_BUSINESS_UNITS, type DemoMessage } from './generate-demo-messages.ts';
export { parseCustomersCsv, CsvRefused, type CsvCustomer, type CsvRowOutcome } from './parse-customers-csv.ts';
export { importCustomers, type ImportSummary } from './import-customers.ts';
