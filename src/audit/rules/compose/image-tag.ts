import { defineRule } from '../rule.js';
import { serviceKey, servicesOf } from './helpers.js';

export const imageTagRule = defineRule({
  id: 'DC022',
  name: 'image-tag-mutable',
  title: 'Service image uses `latest` or no tag',
  severity: 'medium',
  layer: 'container',
  target: 'compose',
  control: 'container.pinned-images',
  status: 'stable',
  rationale:
    'An untagged image means `latest`, and `latest` points at whatever was pushed last, so two deployments of the same file can run different software, and a new major version or a compromised push arrives unreviewed. ' +
    'A version tag makes deployments repeatable, and a digest makes them immutable.',
  fix: 'Pin a version tag such as `postgres:16.4-alpine`, and for production add the digest, as in `postgres:16.4-alpine@sha256:...`.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#image',
    'https://docs.docker.com/build/building/best-practices/#pin-base-image-versions',
  ],
  limitations: [
    'Services with `build:` are skipped, because `image:` then names the image being built.',
    'Images whose reference comes from an unset variable are skipped.',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const image = service.image;
      if (!image || service.build || image.unresolved || image.digest) continue;
      const tag = image.tag?.toLowerCase();
      if (tag && tag !== 'latest') continue;
      report({
        message: tag
          ? `service '${service.name}' uses image '${image.raw}' with the mutable tag \`latest\``
          : `service '${service.name}' uses image '${image.raw}' without a tag, which means \`latest\``,
        location: service.locate(['image'], 'value')!,
        key: serviceKey(entry),
      });
    }
  },
});
