import type { ImageSlice, Slice } from '../types';

/** The image (decoded in the worker); a broken file keeps the previous one. */
export const createImageSlice: Slice<ImageSlice> = (set, get, ctx) => ({
  imageStatus: 'idle',

  async loadImage(file, name) {
    set({ imageStatus: 'loading' });
    try {
      const image = await ctx.deps.compute().decodeImage(file, name);
      ctx.lastImage = { file, name };
      set({ image, imageStatus: 'ready' });
      get().inputsChanged(); // a result of the previous image is never drawn over this one
      await get().predict();
    } catch (e) {
      set({ imageStatus: get().image ? 'ready' : 'error' });
      get().report(e, `Loading image ${name}`);
    }
  },

  async loadDemoImage(file) {
    try {
      const blob = await ctx.deps.assets.blob(`demo/${file}`);
      await get().loadImage(blob, file.split('/').pop() ?? file);
      // a demo image comes with its object's mask: the ground truth of the localisation metrics
      const mask = get().demo?.images.find((i) => i.file === file)?.mask;
      if (mask && get().image) await get().loadMaskFile(await ctx.deps.assets.blob(`demo/${mask}`), mask.split('/').pop() ?? mask, undefined, 'demo');
    } catch (e) {
      get().report(e, `Loading demo image ${file}`);
    }
  },
});
