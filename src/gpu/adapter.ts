// One way to get a GPUDevice, in the browser and in Node. The caller passes the `GPU` object
// (navigator.gpu in a page or worker, `nodeGPU()` from ./node.ts in Node) so this module never imports Node code.

import { WebGPUUnavailableError } from './errors.ts';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** SwiftShader, lavapipe/llvmpipe and other software rasterizers: prefer barrier-free kernels. */
  isCpu: boolean;
  features: string[];
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
}

const CPU_ADAPTER_HINTS = ['swiftshader', 'llvmpipe', 'lavapipe', 'software', 'warp'];

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  const isFallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isCpu: isFallback || CPU_ADAPTER_HINTS.some((h) => text.includes(h)),
    features: [...adapter.features].sort(),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

export function describeAdapter(s: AdapterSummary): string {
  const name = [s.vendor, s.architecture, s.description].filter(Boolean).join(' / ');
  return `${name || 'unknown adapter'}${s.isCpu ? ' (CPU)' : ''}`;
}

const BROWSER_HELP =
  'This browser exposes no WebGPU (navigator.gpu is missing). Use a recent Chrome or Edge (113+), ' +
  'or Firefox/Safari with WebGPU enabled; on Linux start Chromium with --enable-unsafe-webgpu.';

/** Asks for the adapter's full limits: model buffers need far more than WebGPU's 128 MiB default. */
export async function acquireDevice(gpu: GPU | undefined, help = BROWSER_HELP): Promise<AcquiredDevice> {
  if (!gpu) throw new WebGPUUnavailableError(help);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGPUUnavailableError(`WebGPU is present but returned no adapter. ${help}`);
  }
  const wanted: GPUFeatureName[] = ['shader-f16', 'timestamp-query', 'subgroups'];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    label: 'editscope',
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  });
  return { adapter, device, summary: summarizeAdapter(adapter) };
}
