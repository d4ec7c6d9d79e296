import { afterEach, describe, expect, it, vi } from "vitest";
import { Api, ApiError, IMAGE_RETRIES, imageRetryMs } from "../src/api";

describe("image retries", () => {
  it("waits Retry-After (bounded) on 429 and 503 only, a few times", () => {
    expect(imageRetryMs(new ApiError(429, {}, "HTTP 429", 5), 0)).toBe(5000);
    expect(imageRetryMs(new ApiError(503, {}, "HTTP 503", 60), 1)).toBe(10000);
    expect(imageRetryMs(new ApiError(503, {}, "HTTP 503"), 0)).toBe(1000);
    expect(imageRetryMs(new ApiError(400, {}, "HTTP 400", 5), 0)).toBeNull();
    expect(imageRetryMs(new ApiError(429, {}, "HTTP 429", 1), IMAGE_RETRIES)).toBeNull();
    expect(imageRetryMs(new TypeError("x"), 0)).toBeNull();
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("asks again after a 429 and shows the image", async () => {
    vi.useFakeTimers();
    const extent = { "X-Extent-Start": "0", "X-Extent-End": "1", "X-Extent-Low": "0", "X-Extent-High": "9" };
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify({ detail: "busy" }), { status: 429, headers: { "Retry-After": "2" } }))
      .mockResolvedValueOnce(new Response("png", { status: 200, headers: extent }));
    vi.stubGlobal("fetch", fetch);
    vi.stubGlobal("createImageBitmap", vi.fn().mockResolvedValue({ width: 1 }));
    const pending = new Api("/api/", "t").image("spectrogram", 1, { start: 0, end: 1 } as never);
    await vi.advanceTimersByTimeAsync(1900);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(200);
    const image = await pending;
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(image.extent).toEqual({ start: 0, end: 1, low: 0, high: 9 });
  });
});
