import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Ec2NetworkInterface } from '../catalog/catalogEntry.js';

/** What the catalog refresh reads from EC2 (a stand-in locally). */
interface CatalogSource {
  /** Every ENI of the region, a page at a time. */
  networkInterfaces(): AsyncIterable<readonly Ec2NetworkInterface[]>;
  /** The Name tags of these instances; an instance without one is absent. */
  instanceNames(instanceIds: readonly string[]): Promise<Map<string, string>>;
}

/** ENIs per DescribeNetworkInterfaces page (the API allows 5..1000). */
const ENI_PAGE_SIZE = 1000;
/** Values per `instance-id` filter (EC2 refuses more than 200). */
const INSTANCE_BATCH = 200;

/**
 * The catalog's source on EC2: pages through `DescribeNetworkInterfaces`
 * and asks `DescribeInstances` for Name tags in batches. Both include
 * resources AWS services manage (`IncludeManagedResources`), which an
 * account may hide by default. Instances are asked by filter, so an
 * instance terminated meanwhile is simply absent. SDK errors (throttling
 * after the SDK's retries, access denied) propagate: the refresh then
 * fails before it marks anything deleted.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html
 */
function createEc2CatalogSource(client: EC2Client): CatalogSource {
  async function* networkInterfaces() {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeNetworkInterfacesCommand({
          MaxResults: ENI_PAGE_SIZE,
          NextToken: nextToken,
          IncludeManagedResources: true,
        })
      );
      yield page.NetworkInterfaces ?? [];
      nextToken = page.NextToken;
    } while (nextToken);
  }

  async function instanceNames(instanceIds: readonly string[]) {
    const names = new Map<string, string>();
    for (let at = 0; at < instanceIds.length; at += INSTANCE_BATCH) {
      const batch = instanceIds.slice(at, at + INSTANCE_BATCH);
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new DescribeInstancesCommand({
            Filters: [{ Name: 'instance-id', Values: batch }],
            NextToken: nextToken,
            IncludeManagedResources: true,
          })
        );
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            const name = instance.Tags?.find((tag) => tag.Key === 'Name');
            if (instance.InstanceId && name?.Value) {
              names.set(instance.InstanceId, name.Value);
            }
          }
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return names;
  }

  return { networkInterfaces, instanceNames };
}

/** The EC2 client of the catalog (the SDK's own region, endpoint and retries). */
function createEc2Client(maxAttempts = 8): EC2Client {
  return new EC2Client({ maxAttempts });
}

export type { CatalogSource };
export { createEc2CatalogSource, createEc2Client, INSTANCE_BATCH };
