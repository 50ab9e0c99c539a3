import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { referenceViewSql } from '../../../infra/aws/catalog.ts';
import { DEFAULT_CONFIG } from '../../../infra/aws/config.ts';
import { REFERENCE_TABLE_NAMES } from '../../../pipeline/schema/reference.ts';
import { resourcesOf, synthesized } from './synth.ts';

const { stack, template } = synthesized();
const queriesDir = fileURLToPath(new URL('../../../queries/', import.meta.url));
const sqlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
const named = resourcesOf(template, 'AWS::Athena::NamedQuery').map(([, q]) => q.Properties as { Name: string; QueryString: string; Database: string; WorkGroup: unknown });

describe('Athena workgroup', () => {
  it('runs engine v3 with enforced settings, KMS-encrypted results under athena-results/ and a scan cutoff', () => {
    const [, wg] = resourcesOf(template, 'AWS::Athena::WorkGroup')[0]!;
    const config = wg.Properties.WorkGroupConfiguration as Record<string, unknown>;
    expect(config).toMatchObject({
      EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: DEFAULT_CONFIG.bytesScannedCutoff,
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [stack.getLogicalId(stack.lake.key.node.defaultChild as never), 'Arn'] } } },
    });
    expect(JSON.stringify((config.ResultConfiguration as { OutputLocation: unknown }).OutputLocation)).toMatch(/\/athena-results\/"/);
  });
});

describe('named queries', () => {
  it('saves one named query per queries/*.sql file, with the file\'s SQL unchanged', () => {
    const files = sqlFiles(queriesDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const saved = named.filter((q) => q.Name === basename(file, '.sql'));
      expect(saved, file).toHaveLength(1);
      expect(saved[0]!.QueryString).toBe(readFileSync(`${queriesDir}${file}`, 'utf8'));
      expect(saved[0]!.Database).toBe('energy_lake');
    }
  });

  it('saves each shared view as a CREATE OR REPLACE VIEW of its file, numbered in dependency order', () => {
    const files = sqlFiles(`${queriesDir}views/`);
    const views = named.filter((q) => q.Name.startsWith('view_') && !q.Name.startsWith('view_00_')).sort((a, b) => a.Name.localeCompare(b.Name));
    expect(views).toHaveLength(files.length);
    files.forEach((file, i) => {
      const sql = readFileSync(`${queriesDir}views/${file}`, 'utf8');
      const view = /^--\s*view:\s*(\w+)/m.exec(sql)![1];
      expect(views[i]!.QueryString).toBe(`CREATE OR REPLACE VIEW ${view} AS\n${sql}`);
    });
  });

  it('saves the typed reference views first (view_00_…), since the shared views join them', () => {
    const reference = named.filter((q) => q.Name.startsWith('view_00_')).sort((a, b) => a.Name.localeCompare(b.Name));
    expect(reference.map((q) => q.Name)).toEqual(REFERENCE_TABLE_NAMES.map((n) => `view_00_${n}`).sort());
    for (const q of reference) {
      const name = q.Name.slice('view_00_'.length) as (typeof REFERENCE_TABLE_NAMES)[number];
      expect(q.QueryString).toBe(`CREATE OR REPLACE VIEW ${name} AS\n${referenceViewSql(name)}`);
    }
    const names = named.map((q) => q.Name).sort();
    expect(names.filter((n) => n.startsWith('view_'))[0]).toMatch(/^view_00_/);
  });

  it('has no other saved queries', () => {
    expect(named).toHaveLength(sqlFiles(queriesDir).length + sqlFiles(`${queriesDir}views/`).length + REFERENCE_TABLE_NAMES.length);
  });
});
