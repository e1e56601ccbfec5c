import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useOverrideStage } from '../../api/customers.ts';
import { STAGES, type CustomerProfile, type Stage } from '../../api/types.ts';
import { STAGE_LABEL, stageLabel } from './customer-view.ts';

/** Set the lifecycle stage by hand (with a reason), or hand it back to the workspace's rules. */
export function StageDialog({ customer, onClose }: { readonly customer: CustomerProfile; readonly onClose: () => void }) {
  const override = useOverrideStage(customer.id);
  const [stage, setStage] = useState<Stage>((customer.stageOverride?.stage as Stage | undefined) ?? customer.stage);
  const [reason, setReason] = useState(customer.stageOverride?.reason ?? '');
  return (
    <Modal opened onClose={onClose} title="Lifecycle stage">
      <Stack>
        <Text size="sm">
          Now: <strong>{stageLabel(customer.stage)}</strong>
          {customer.stageOverride ? ', set by hand.' : ', computed from their events by the workspace’s lifecycle rules.'}
        </Text>
        <Select label="Stage" data={STAGES.map((s) => ({ value: s, label: STAGE_LABEL[s] }))} value={stage} onChange={(v) => v && setStage(v as Stage)} allowDeselect={false} />
        <Textarea label="Reason" required description="Why this stage, for whoever reads the profile next" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        {override.isError && (
          <Alert color="red" role="alert" title="The stage did not change">
            {errorMessage(override.error)}
          </Alert>
        )}
        <Group justify="space-between">
          {customer.stageOverride ? (
            <Button variant="subtle" onClick={() => override.mutate({ stage: null }, { onSuccess: onClose })}>
              Back to the rules
            </Button>
          ) : (
            <span />
          )}
          <Button loading={override.isPending} disabled={!reason.trim()} onClick={() => override.mutate({ stage, reason: reason.trim() }, { onSuccess: onClose })}>
            Set stage
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
