import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BookService } from '../books/book-service.js';
import { BookIdParams, DeliveryAccepted, DeliveryRequest, ErrorBody } from './schemas.js';

/** `POST /books/:id/deliveries`: a READY book pushed to Audiobookshelf; its state shows in GET /books/:id. */
export const deliveryRoutes: FastifyPluginAsyncTypebox<{
  service: BookService['deliveries'];
}> = async (app, { service }) => {
  app.post(
    '/books/:id/deliveries',
    {
      schema: {
        params: BookIdParams,
        body: DeliveryRequest,
        response: { 202: DeliveryAccepted, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody },
      },
      // No body at all is the one target there is.
      config: { bodyOptional: true },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const accepted = await service.deliver(request.principal, id, request.body.target);
      return reply.code(202).send(accepted);
    },
  );
};
