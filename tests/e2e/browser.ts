/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// What the browser tests share: Chromium from Debian, the check that a drawn chart has visible
// marks, and the pointer sweep that finds a chart's image tooltip.
import * as path from "node:path";
import { Browser, chromium, Page } from "playwright-core";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.AE_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
}

/**
 * Problems with the vega-embed charts inside each element matched by `selector`: not drawn as a
 * canvas or svg, or drawn without visible marks. Returns [problems, charts seen].
 */
export function chartProblems(page: Page, selector: string): Promise<[string[], number]> {
  return page.evaluate((sel) => {
    const found: string[] = [];
    const holders = [...document.querySelectorAll(sel)];
    holders.forEach((holder, i) => {
      const marks = holder.querySelector(".vega-embed .marks"); // the chart's canvas or svg (not the menu icon)
      if (!marks) { found.push(`chart ${i + 1}: not drawn as a chart`); return; }
      if (marks.tagName !== "CANVAS") return; // svg: its marks are elements, vega warns when they are NaN
      // Visible marks: some pixels differ from the background.
      const canvas = marks as HTMLCanvasElement;
      const px = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let p = 0; p < px.length; p += 4) if (px[p + 3] > 0 && (px[p] < 235 || px[p + 1] < 235 || px[p + 2] < 235)) inked++;
      if (canvas.width * canvas.height === 0 || inked < 0.002 * canvas.width * canvas.height) {
        found.push(`chart ${i + 1}: drawn with no visible marks (${inked} inked pixels)`);
      }
    });
    return [found, holders.length] as [string[], number];
  }, selector);
}

/**
 * Moves the pointer over every chart canvas matched by `canvases` until vega's tooltip shows a
 * point's image. JupyterLab keeps only the cells near the viewport in the page, so with `scroller`
 * (the scrolling element) it walks from top to bottom and sweeps each canvas as it appears.
 * Returns null when an image showed, else what was seen (and saves a screenshot to `shot`).
 */
export async function hoverUntilTooltipImage(page: Page, canvases: string, shot: string, scroller?: string): Promise<string | null> {
  // The page notes when a tooltip shows an image, so the pointer can sweep without a round trip per position.
  await page.evaluate(() => {
    const w = window as unknown as { aeTooltipImage: boolean; aeTooltips: number };
    w.aeTooltipImage = false;
    w.aeTooltips = 0;
    new MutationObserver(() => {
      // Each chart has its own tooltip element, all with the same id: look at every visible one.
      const tips = [...document.querySelectorAll('[id="vg-tooltip-element"].visible')];
      if (!tips.length) return;
      w.aeTooltips++;
      // The point's picture: an <img> whose source is the PNG the chart carries.
      if (tips.some((tip) => tip.querySelector('img[src^="data:image/png;base64,"]'))) w.aeTooltipImage = true;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const scroll = (to: "top" | "down") => page.evaluate(([sel, where]) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const before = el.scrollTop;
    el.scrollTop = where === "top" ? 0 : before + 0.7 * el.clientHeight;
    return el.scrollTop !== before;
  }, [scroller ?? "", to] as const);
  // A coarse pass first (an image map's tooltip follows the nearest point, so a few positions find
  // it), then the fine pass over every canvas again, for tooltips that need the pointer on a mark.
  let swept = 0;
  for (const step of [0.15, 0.035]) {
    await page.evaluate((sel) => document.querySelectorAll(sel).forEach((el) => el.removeAttribute("data-ae-swept")), canvases);
    if (scroller) await scroll("top");
    for (;;) {
      await page.waitForTimeout(300);
      for (const canvas of await page.locator(`${canvases}:not([data-ae-swept])`).elementHandles()) {
        // `any`: the element lives in the browser, and the tests compile without the DOM's types.
        await canvas.evaluate((el: any) => { el.setAttribute("data-ae-swept", ""); el.scrollIntoView({ block: "center", inline: "center" }); });
        await page.waitForTimeout(300); // let the layout settle before aiming
        const box = await canvas.boundingBox();
        if (!box) continue;
        swept++;
        for (let gy = 0.05; gy < 0.97; gy += step) {
          for (let gx = 0.05; gx < 0.97; gx += step) await page.mouse.move(box.x + gx * box.width, box.y + gy * box.height);
          if (await page.evaluate(() => (window as unknown as { aeTooltipImage: boolean }).aeTooltipImage)) return null;
        }
      }
      if (!scroller || !(await scroll("down"))) break;
    }
  }
  const tooltips = await page.evaluate(() => (window as unknown as { aeTooltips: number }).aeTooltips);
  await page.screenshot({ path: shot });
  return `no tooltip with an image in ${swept} sweeps of chart canvases (the tooltip changed ${tooltips} times; see ${path.basename(shot)})`;
}
